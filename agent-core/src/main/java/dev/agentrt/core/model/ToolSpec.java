package dev.agentrt.core.model;

import dev.agentrt.core.json.JsonObject;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the model is told about a tool.
 *
 * @param name unique within an agent; letters, digits, {@code _} and {@code -}, at most 64 characters (what every provider accepts)
 * @param description when and how to use it, written for the model
 * @param parameters the JSON Schema of the arguments object
 */
public record ToolSpec(String name, String description, JsonObject parameters) {
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
}
