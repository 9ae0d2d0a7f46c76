package dev.agentrt.core.testing;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolContext;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tool context that decides {@link #require} from its grants alone (no approvals, no events) and
 * records every capability asked for, for calling a tool or the egress layer without a registry.
 */
public final class GrantsContext implements ToolContext {
    private final Grants grants;
    private final List<Capability> required = new CopyOnWriteArrayList<>();

    public GrantsContext(Grants grants) {
        this.grants = grants;
    }

    public static GrantsContext of(Capability... grants) {
        return new GrantsContext(Grants.of(grants));
    }

    @Override
    public String taskId() {
        return "task";
    }

    @Override
    public String callId() {
        return "call";
    }

    @Override
    public Principal principal() {
        return Principal.ANONYMOUS;
    }

    @Override
    public Mono<Void> require(List<Capability> capabilities) {
        return Mono.defer(() -> {
            required.addAll(capabilities);
            List<Capability> missing = grants.missing(capabilities);
            return missing.isEmpty()
                    ? Mono.empty()
                    : Mono.error(new CapabilityDeniedException("not granted: " + missing, missing));
        });
    }

    @Override
    public Grants grants() {
        return grants;
    }

    /** Every capability {@link #require} was asked for, in order. */
    public List<Capability> required() {
        return List.copyOf(required);
    }
}
