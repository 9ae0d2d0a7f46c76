package dev.agentrt.spring;

import dev.agentrt.core.Agent;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.security.Capability;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent settings of {@code agentrt.*}, checked once at start so that a bad value fails the context naming its
 * property, and the grants logged once, one line each, whether or not an agent is ever built.
 */
final class AgentSettings {
    private static final Logger log = LoggerFactory.getLogger(AgentSettings.class);

    private final AgentrtProperties properties;
    private final List<Capability> grants;
    private final @Nullable RetryPolicy modelRetry;

    private AgentSettings(AgentrtProperties properties, List<Capability> grants, @Nullable RetryPolicy modelRetry) {
        this.properties = properties;
        this.grants = grants;
        this.modelRetry = modelRetry;
    }

    /** @throws InvalidConfigurationPropertyValueException naming the first property that is wrong */
    static AgentSettings of(AgentrtProperties p) {
        List<Capability> grants = grants(p.getGrants());
        RetryPolicy retry = modelRetry(p.getModelRetry());
        if (p.getName() != null && p.getName().isBlank()) {
            throw new InvalidConfigurationPropertyValueException("agentrt.name", p.getName(), "must not be blank");
        }
        Integer steps = p.getMaxSteps();
        if (steps != null && steps < 1) {
            throw new InvalidConfigurationPropertyValueException("agentrt.max-steps", steps, "must be at least 1");
        }
        Integer concurrent = p.getMaxConcurrentToolCalls();
        if (concurrent != null && concurrent < 1) {
            throw new InvalidConfigurationPropertyValueException("agentrt.max-concurrent-tool-calls", concurrent,
                    "must be at least 1");
        }
        Duration timeout = p.getToolTimeout();
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new InvalidConfigurationPropertyValueException("agentrt.tool-timeout", timeout,
                    "must be positive");
        }
        String namespace = p.getMemory().getNamespace();
        if (namespace != null && namespace.isBlank()) {
            throw new InvalidConfigurationPropertyValueException("agentrt.memory.namespace", namespace,
                    "must not be blank");
        }
        if (grants.isEmpty()) {
            log.info("agentrt.grants: none; the agent gets only the capabilities the application grants in code");
        }
        for (int i = 0; i < grants.size(); i++) {
            log.info("agentrt.grants[{}]: granting {} to every task of the configured agent", i,
                    grants.get(i).describe());
        }
        return new AgentSettings(p, grants, retry);
    }

    private static List<Capability> grants(List<String> texts) {
        var out = new ArrayList<Capability>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            try {
                out.add(Capability.parse(text == null ? "" : text));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationPropertyValueException("agentrt.grants[" + i + "]", text,
                        "not a capability: " + e.getMessage() + " (write it as Capability.describe() prints it, "
                                + "e.g. net:api.example.com or file-read:/srv/docs)");
            }
        }
        return List.copyOf(out);
    }

    private static @Nullable RetryPolicy modelRetry(AgentrtProperties.ModelRetry r) {
        if (!r.isSet()) {
            return null;
        }
        RetryPolicy d = Agent.DEFAULT_MODEL_RETRY;
        Integer max = r.getMaxRetries();
        Duration initial = r.getInitialBackoff();
        Duration longest = r.getMaxBackoff();
        Double jitter = r.getJitter();
        int retries = max != null ? max : d.maxRetries();
        Duration first = initial != null ? initial : d.initialBackoff();
        Duration cap = longest != null ? longest : d.maxBackoff();
        double random = jitter != null ? jitter : d.jitter();
        if (retries < 0) {
            throw new InvalidConfigurationPropertyValueException("agentrt.model-retry.max-retries", retries,
                    "must not be negative (0 turns retrying off)");
        }
        if (first.isNegative()) {
            throw new InvalidConfigurationPropertyValueException("agentrt.model-retry.initial-backoff", first,
                    "must not be negative");
        }
        if (cap.compareTo(first) < 0) {
            throw new InvalidConfigurationPropertyValueException("agentrt.model-retry.max-backoff", cap,
                    "must not be shorter than agentrt.model-retry.initial-backoff (" + first + ")");
        }
        if (!(random >= 0 && random <= 1)) {
            throw new InvalidConfigurationPropertyValueException("agentrt.model-retry.jitter", random,
                    "must be from 0 to 1");
        }
        return new RetryPolicy(retries, first, cap, random, d.maxRetryAfter());
    }

    /** Applies the settings that are set; the rest keep the builder's defaults. */
    void applyTo(Agent.Builder b) {
        AgentrtProperties p = properties;
        if (p.getName() != null) {
            b.name(p.getName());
        }
        if (p.getInstructions() != null) {
            b.instructions(p.getInstructions());
        }
        if (p.getMaxSteps() != null) {
            b.maxSteps(p.getMaxSteps());
        }
        if (p.getMaxConcurrentToolCalls() != null) {
            b.maxConcurrentToolCalls(p.getMaxConcurrentToolCalls());
        }
        if (p.getToolTimeout() != null) {
            b.toolTimeout(p.getToolTimeout());
        }
        if (p.getMemory().getNamespace() != null) {
            b.memoryNamespace(p.getMemory().getNamespace());
        }
        if (modelRetry != null) {
            b.modelRetry(modelRetry);
        }
        b.grant(grants.toArray(Capability[]::new));
    }

    List<Capability> grants() {
        return grants;
    }

    /** The agent's name, for telemetry. */
    String agentName() {
        String name = properties.getName();
        return name == null ? "agent" : name;
    }
}
