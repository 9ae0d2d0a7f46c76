package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import java.util.function.Function;

/**
 * What the client answers when a server asks it something: {@code sampling/createMessage} and
 * {@code elicitation/create}. A null handler leaves the capability undeclared, so a server does not ask.
 */
public record ServerRequests(
        @Nullable Function<McpSchema.CreateMessageRequest, Mono<McpSchema.CreateMessageResult>> sampling,
        @Nullable Function<McpSchema.ElicitFormRequest, Mono<McpSchema.ElicitResult>> elicitation) {
    /** Neither capability. */
    public static final ServerRequests NONE = new ServerRequests(null, null);
}
