package dev.agentrt.core.model;

import dev.agentrt.core.json.JsonObject;
import org.jspecify.annotations.Nullable;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the model is told about a tool.
 *
 * @param name unique within an agent; letters, digits, {@code _} and {@code -}, at most 64 characters (what every provider accepts)
 * @param description when and how to use it, written for the model
 * @param parameters the JSON Schema of the arguments object
 * @param outputSchema the JSON Schema of the object every successful result of the tool is (its content is that
 *        object as JSON), or {@code null} when the tool promises no structure. Models are not shown it (no
 *        provider takes one); an MCP server declares it as the tool's {@code outputSchema} and sends such results
 *        as {@code structuredContent}, and a tool of an MCP server that declares one has it here
 */
public record ToolSpec(String name, String description, JsonObject parameters, @Nullable JsonObject outputSchema) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public ToolSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(parameters, "parameters");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "tool name must be 1-64 letters, digits, '_' or '-' (providers reject others): '" + name + "'");
        }
    }

    /** A tool whose results have no declared structure. */
    public ToolSpec(String name, String description, JsonObject parameters) {
        this(name, description, parameters, null);
    }

    /** This spec with {@code outputSchema} in place of its own ({@code null}: none). */
    public ToolSpec withOutputSchema(@Nullable JsonObject outputSchema) {
        return new ToolSpec(name, description, parameters, outputSchema);
    }
}
