package dev.agentrt.core.security;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who a task runs for: grants and tool visibility can depend on it ({@code Agent.Builder#grantsFor},
 * {@code Agent.Builder#toolAccess}).
 *
 * @param id stable identifier of the caller (user id, service name)
 * @param roles the caller's roles, for policies
 * @param attributes anything else a policy needs (tenant, plan, ...)
 */
public record Principal(String id, Set<String> roles, Map<String, String> attributes) {
    /** The principal of a task that names none. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Set.of(), Map.of());

    public Principal {
        Objects.requireNonNull(id, "id");
        roles = Set.copyOf(roles);
        attributes = Map.copyOf(attributes);
    }

    public static Principal of(String id, String... roles) {
        return new Principal(id, Set.of(roles), Map.of());
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }
}
