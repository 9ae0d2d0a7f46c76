package dev.agentrt.core.model;

import java.util.Objects;

/**
 * A model's request to call a tool.
 *
 * @param id the provider's id for the call, echoed in the result
 * @param name the tool's name
 * @param arguments the arguments exactly as the model produced them: JSON text that may be
 *     malformed, which the registry reports back to the model
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
