package dev.agentrt.tools.mcp;

import reactor.core.publisher.Mono;

/**
 * Answers a server's {@code elicitation/create}: the server asks the user for some information, described by
 * a message and a flat JSON Schema of what it wants. Set with {@link McpTools.Builder#elicitation}; without one
 * the client does not declare the elicitation capability, and servers do not ask.
 *
 * <pre>{@code
 * McpTools.builder("shop", spec)
 *     .elicitation(req -> ui.form(req.message(), req.requestedSchema())
 *             .map(form -> form.submitted() ? McpElicitationAnswer.accept(form.values())
 *                     : McpElicitationAnswer.decline()))
 *     .connect();
 * }</pre>
 *
 * <p>The answer is checked before it leaves: accepted content that does not match the requested schema is not
 * sent; the server gets a JSON-RPC error instead, and the mismatch is logged. An empty {@code Mono} counts as
 * {@link McpElicitationAnswer#cancel() cancel}; a failed one answers the server with an error.
 *
 * <p>In a durable run the question can pause the run instead, to be answered with {@code agent.answer}: see
 * {@link McpTools.Builder#elicitationPausesRun}. The handler then still answers where a run cannot pause.
 *
 * <p>Must not block: it is called on the thread that read the server's message. Answer asynchronously; the
 * request waits (the server decides how long), and no thread is held meanwhile.
 */
@FunctionalInterface
public interface McpElicitationHandler {
    Mono<McpElicitationAnswer> answer(McpElicitationRequest request);
}
