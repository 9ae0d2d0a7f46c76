package dev.agentrt.spring.mcp;

import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;

import java.util.List;
import java.util.Objects;

/**
 * What the tools served by {@code agentrt.mcp.server} may do, stated by the application: a call to a
 * tool that needs a capability outside these grants is refused with an error result. Grants are
 * never inferred: without a bean of this type (or an {@link dev.agentrt.tools.mcp.McpServer} bean of
 * the application's) the server exposes no tools and says so in the log.
 *
 * <pre>{@code
 * @Bean
 * McpServerGrants mcpServerGrants() {
 *     return McpServerGrants.of(Capability.custom("crm", "read"));
 * }
 * }</pre>
 *
 * @param grants the grants of every call a client makes
 */
public record McpServerGrants(Grants grants) {
    public McpServerGrants {
        Objects.requireNonNull(grants, "grants");
    }

    public static McpServerGrants of(Capability... capabilities) {
        return new McpServerGrants(Grants.of(List.of(capabilities)));
    }

    /** No capabilities: only tools that need none can be called. Stated, not assumed. */
    public static McpServerGrants none() {
        return new McpServerGrants(Grants.none());
    }
}
