package dev.agentrt.core.model;

import dev.agentrt.core.json.JsonObject;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Asks a model for a reply that is one JSON value matching {@code schema} (structured output).
 * Models whose {@link ChatModel#supportsResponseFormat()} is true pass it to the provider's native
 * mode (OpenAI {@code response_format} or the Responses API's {@code text.format}, Anthropic
 * {@code output_config.format}, Ollama {@code format}, Gemini {@code responseJsonSchema}); the agent
 * loop falls back to a final-answer tool for the others.
 *
 * @param name a name for the schema, letters, digits, {@code _} and {@code -}, at most 64 characters
 * @param schema the JSON Schema of the reply, an object schema
 */
public record ResponseFormat(String name, JsonObject schema) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public ResponseFormat {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(schema, "schema");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "response format name must be 1-64 letters, digits, '_' or '-': '" + name + "'");
        }
    }
}
