package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.tools.mcp.McpElicitationAnswer;
import dev.agentrt.tools.mcp.McpElicitationHandler;
import dev.agentrt.tools.mcp.McpElicitationRequest;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * Answers a server's {@code elicitation/create} (form mode) with the application's handler. The requested schema
 * must compile (else the handler is not asked); accepted content must match it (else it is not sent: the server
 * gets an error that names where the content is wrong, never the content). At most {@value #MAX_OPEN} of a
 * server's elicitations are before the handler (the user) at once: one more is refused at once, so a server cannot
 * pile questions up. Thread-safe; never blocks.
 */
public final class McpElicitor {
    private static final Logger log = LoggerFactory.getLogger(McpElicitor.class);

    private final String server;
    private final McpElicitationHandler handler;
    /** The most elicitations of one server that may wait for the handler at once. */
    static final int MAX_OPEN = 4;
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

    /** The calls whose elicitations pause their runs instead of going to the handler; null for none. */
    private final @Nullable ElicitationPauses pauses;

    public McpElicitor(String server, McpElicitationHandler handler) {
        this(server, handler, null);
    }

    public McpElicitor(String server, McpElicitationHandler handler, @Nullable ElicitationPauses pauses) {
        this.server = server;
        this.handler = handler;
        this.pauses = pauses;
    }

    /** The handler the SDK calls for each form-mode {@code elicitation/create}. */
    public Mono<McpSchema.ElicitResult> answer(McpSchema.ElicitFormRequest request) {
        return Mono.defer(() -> {
            // The protocol asks for an object schema; a missing one (which the SDK reads as {}) would accept anything.
            if (!(McpJson.fromJava(request.requestedSchema()) instanceof JsonObject schemaJson)
                    || !JsonValue.of("object").equals(schemaJson.get("type"))) {
                return Mono.error(McpSampler.error(McpSchema.ErrorCodes.INVALID_PARAMS,
                        "elicitation refused: the requestedSchema must be a JSON Schema of type \"object\""));
            }
            JsonSchema schema;
            try {
                schema = JsonSchema.compile(schemaJson);
            } catch (IllegalArgumentException e) {
                return Mono.error(McpSampler.error(McpSchema.ErrorCodes.INVALID_PARAMS,
                        "elicitation refused: the client cannot check answers against the requested schema: "
                                + e.getMessage()));
            }
            String message = request.message() == null ? "" : request.message();
            ElicitationPauses.Verdict verdict = pauses == null
                    ? null
                    : pauses.verdict(request.meta(), message,
                            schemaJson);
            if (verdict instanceof ElicitationPauses.Answer recorded) {
                return accepted(schema, recorded.content());
            }
            if (verdict instanceof ElicitationPauses.Pause) {
                // The call's run pauses on the question; the server hears the user did not answer now.
                return Mono.just(new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.CANCEL, null));
            }
            var asked = new McpElicitationRequest(server, message, schemaJson);
            if (open.incrementAndGet() > MAX_OPEN) {
                open.decrementAndGet();
                log.warn("MCP server '{}' asked for more than {} elicitations at once; refused one", server, MAX_OPEN);
                return Mono.error(McpSampler.error(McpSampler.REFUSED, "elicitation refused: " + MAX_OPEN
                        + " of this server's elicitations already wait for the user; ask again once one is answered"));
            }
            var released = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable release = () -> {
                if (released.compareAndSet(false, true)) {
                    open.decrementAndGet();
                }
            };
            return Mono.defer(() -> handler.answer(asked))
                    .doFinally(signal -> release.run())
                    .onErrorMap(e -> {
                        log.warn("MCP server '{}': the elicitation handler failed", server, e);
                        return McpSampler.error(McpSchema.ErrorCodes.INTERNAL_ERROR,
                                "elicitation failed: the client could not answer");
                    })
                    .defaultIfEmpty(McpElicitationAnswer.cancel())
                    .flatMap(answer -> switch (answer) {
                        case McpElicitationAnswer.Accept accept -> accepted(schema, accept.content());
                        case McpElicitationAnswer.Decline d -> Mono.just(
                                new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.DECLINE, null));
                        case McpElicitationAnswer.Cancel c -> Mono.just(
                                new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.CANCEL, null));
                    });
        });
    }

    private Mono<McpSchema.ElicitResult> accepted(JsonSchema schema, JsonObject content) {
        List<String> violations = schema.validate(content);
        if (!violations.isEmpty()) {
            log.warn("MCP server '{}': the elicitation answer does not match the requested schema and is not sent: {}",
                    server, violations);
            return Mono.error(McpSampler.error(McpSchema.ErrorCodes.INTERNAL_ERROR,
                    "elicitation failed: the client's answer does not match the requested schema, so it was not "
                            + "sent (wrong at " + String.join(", ", locations(violations)) + ")"));
        }
        return Mono.just(new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, McpJson.toMap(content)));
    }

    /** The JSON paths of the violations ("$.age"), without what was found there. */
    private static List<String> locations(List<String> violations) {
        return violations.stream().map(v -> {
            int colon = v.indexOf(": ");
            return colon < 0 ? "$" : v.substring(0, colon);
        }).distinct().toList();
    }

}
