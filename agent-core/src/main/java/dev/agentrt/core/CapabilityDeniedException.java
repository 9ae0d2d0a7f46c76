package dev.agentrt.core;

import dev.agentrt.core.security.Capability;

import java.util.List;

/** A capability a tool needed was not granted (and no approval handler approved it). */
public class CapabilityDeniedException extends AgentException {
    private final List<Capability> missing;

    public CapabilityDeniedException(String message, List<Capability> missing) {
        super(message);
        this.missing = List.copyOf(missing);
    }

    public List<Capability> missing() {
        return missing;
    }
}
