package dev.agentrt.tools.mcp;

import dev.agentrt.core.security.Decision;
import reactor.core.publisher.Mono;

/**
 * Decides whether a server's {@code sampling/createMessage} request may reach the application's model: the MCP
 * counterpart of core's {@link dev.agentrt.core.security.ApprovalHandler}, asked with what the model would be
 * sent. Answer asynchronously (a UI prompt, a policy); the request waits, and no thread is held meanwhile.
 *
 * <p>{@link Decision#approved() Approved} (once or for the task: the same here) sends the request to the model.
 * A denial, a deferral (there is no run to pause), an empty {@code Mono} or a failed one refuses it: the server
 * gets a JSON-RPC error saying the client refused, with the denial's reason, and the model is not called.
 *
 * <p>Must not block: it is called on the thread that read the server's message.
 */
@FunctionalInterface
public interface McpSamplingApprover {
    Mono<Decision> decide(McpSamplingRequest request);
}
