package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonObject;

import java.util.Objects;

/**
 * What a server asks of the user in {@code elicitation/create}.
 *
 * @param server the server's name, as given to {@link McpTools#builder}
 * @param message the server's words to the user
 * @param requestedSchema the JSON Schema of the answer, as the server sent it: an object of primitive
 *     properties (string, number, integer, boolean, enums), per the protocol
 */
public record McpElicitationRequest(String server, String message, JsonObject requestedSchema) {
    public McpElicitationRequest {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(requestedSchema, "requestedSchema");
    }
}
