package dev.agentrt.sandbox.internal;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.UrlGuard;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The {@code agentrt.http_get} host function behind a plugin. A URL is fetched only when the
 * plugin's manifest lists its host, the task's grants allow it, and the core's {@link UrlGuard}
 * accepts every address of the host; each redirect is checked again. The response body is cut at
 * a cap. Failures are answers ({@code {"error": ...}}), never exceptions into the guest.
 *
 * <p>Blocks (DNS, the request) on the run's thread, which is a compute thread that may block.
 * The JDK client resolves the host name again after the guard did; a resolver that changes its
 * answer between the two is not defended against here.
 */
public final class PluginHttp {
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient client;
    private final List<Capability> manifestHosts;
    private final Grants grants;
    private final int maxResponseBytes;
    private final Duration timeout;

    public PluginHttp(HttpClient client, List<Capability> manifestHosts, Grants grants, int maxResponseBytes,
            Duration timeout) {
        this.client = client;
        this.manifestHosts = List.copyOf(manifestHosts);
        this.grants = grants;
        this.maxResponseBytes = maxResponseBytes;
        this.timeout = timeout;
    }

    JsonObject get(String url) {
        try {
            UrlGuard.Target target = UrlGuard.parse(url);
            for (int hop = 0;; hop++) {
                String refusal = refusal(target);
                if (refusal != null) {
                    return error(refusal);
                }
                UrlGuard.check(target, grants);
                HttpRequest request = HttpRequest.newBuilder(target.uri()).timeout(timeout).GET().build();
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                var location = response.headers().firstValue("location");
                if (status >= 300 && status < 400 && location.isPresent()) {
                    response.body().close();
                    if (hop == MAX_REDIRECTS) {
                        return error("too many redirects");
                    }
                    target = UrlGuard.resolve(target, location.get());
                    continue;
                }
                byte[] body;
                try (InputStream in = response.body()) {
                    body = in.readNBytes(maxResponseBytes + 1);
                }
                boolean truncated = body.length > maxResponseBytes;
                String text = new String(body, 0, Math.min(body.length, maxResponseBytes), StandardCharsets.UTF_8);
                return JsonObject.builder()
                        .put("status", status)
                        .put("body", text)
                        .put("truncated", truncated)
                        .build();
            }
        } catch (UrlGuard.RefusedException e) {
            return error(e.getMessage());
        } catch (IllegalArgumentException e) {
            return error("invalid URL: " + e.getMessage());
        } catch (IOException e) {
            return error("request failed: " + e.getMessage());
        } catch (InterruptedException e) {
            // The run was stopped; keep the flag so that the engine sees it at the next check.
            Thread.currentThread().interrupt();
            return error("interrupted");
        }
    }

    private @Nullable String refusal(UrlGuard.Target target) {
        Capability.Net needed = target.capability();
        if (manifestHosts.stream().noneMatch(c -> c.covers(needed))) {
            return "the plugin's manifest does not list the host " + target.host();
        }
        if (!grants.allows(needed)) {
            return "the task has no grant for the host " + target.host();
        }
        return null;
    }

    private static JsonObject error(String message) {
        return JsonObject.builder().put("error", message).build();
    }
}
