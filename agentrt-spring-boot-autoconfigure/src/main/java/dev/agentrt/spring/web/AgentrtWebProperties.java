package dev.agentrt.spring.web;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * Settings of the server-sent-events endpoint for the application's agent ({@code agentrt.web.*}).
 *
 * <pre>
 * agentrt.web.enabled=true
 * agentrt.web.path=/agentrt
 * </pre>
 *
 * <p>Checked when the endpoint is created: a value out of range fails the application's start with a message
 * naming the property.
 */
@ConfigurationProperties(prefix = "agentrt.web")
public class AgentrtWebProperties {
    /**
     * Whether to serve the agent's runs over HTTP: POST {path}/runs starts one, GET {path}/runs/{runId}/events
     * streams its events. Off unless set, since it lets whoever reaches the server run the agent.
     */
    private boolean enabled;

    /** The base path of the endpoint: it starts with a slash and does not end with one. */
    private String path = "/agentrt";

    /**
     * How often an event stream sends a comment line (the first as it opens), so that proxies keep the connection
     * open while the run is quiet, and a client that has gone is noticed.
     */
    private Duration heartbeat = Duration.ofSeconds(15);

    /**
     * How often an event stream reads the run store for new events while the run goes on (the run may be running
     * in another instance of the application).
     */
    private Duration pollInterval = Duration.ofMillis(200);

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public Duration getHeartbeat() {
        return heartbeat;
    }

    public void setHeartbeat(Duration heartbeat) {
        this.heartbeat = heartbeat;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    /** Fails with a message naming the property when a setting is out of range. */
    void check() {
        String p = path;
        if (p == null || !p.startsWith("/") || p.endsWith("/") || p.contains("{") || p.contains("}")
                || p.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            throw new IllegalStateException("agentrt.web.path must start with '/', not end with '/' and hold no "
                    + "spaces, braces or control characters (\"/agentrt\", \"/api/agent\"), was \"" + p + "\"");
        }
        requirePositive(heartbeat, "agentrt.web.heartbeat");
        requirePositive(pollInterval, "agentrt.web.poll-interval");
    }

    private static void requirePositive(Duration value, String property) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalStateException(property + " must be a positive duration, was " + value);
        }
    }
}
