package dev.agentrt.core.tool;

import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Principal;

/**
 * Which tools a caller may use. A tool the caller may not use is never shown to the model, and a
 * call to it is answered as if the tool did not exist. Must be fast and must not block.
 */
@FunctionalInterface
public interface ToolAccess {
    ToolAccess ALL = (principal, tool) -> true;

    boolean allows(Principal principal, ToolSpec tool);
}
