package dev.agentrt.sandbox;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolContext;
import reactor.core.publisher.Mono;

import java.util.List;

/** A tool context over fixed grants, for calling a tool directly, without the registry's checks. */
record TestContext(Grants grants) implements ToolContext {
    @Override
    public String taskId() {
        return "test-task";
    }

    @Override
    public String callId() {
        return "test-call";
    }

    @Override
    public Principal principal() {
        return Principal.ANONYMOUS;
    }

    @Override
    public Mono<Void> require(List<Capability> capabilities) {
        List<Capability> missing = grants.missing(capabilities);
        return missing.isEmpty()
                ? Mono.empty()
                : Mono.error(new CapabilityDeniedException("not granted: " + missing, missing));
    }
}
