package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.AgentEvent;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Passes the progress a served tool reports ({@link dev.agentrt.core.tool.ToolContext#progress}, which
 * reaches us as {@link AgentEvent.ToolProgress} events) to the client that asked for it with a {@code
 * progressToken} in its {@code tools/call}'s {@code params._meta}, as {@code notifications/progress}.
 *
 * <p>The reports are queued and sent one at a time, in the order the tool made them; a report whose
 * progress does not exceed the last one sent is dropped (the spec requires progress to increase, and two
 * threads of one tool could otherwise race). The call's answer waits, through {@link #around}, until
 * every report queued before it has been handed to the transport, so the client sees all of them before
 * the result. Reports made after the answer are dropped. Nothing here blocks: the queue is drained by
 * the transport's own send, which only enqueues.
 */
final class ProgressRelay {
    private static final Logger log = LoggerFactory.getLogger(ProgressRelay.class);

    private final Object token;
    private final Sinks.Many<McpSchema.ProgressNotification> queue = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.Empty<Void> drained = Sinks.empty();
    private final Disposable sending;
    private double last = Double.NEGATIVE_INFINITY;
    private boolean ended;

    private ProgressRelay(Object token, Function<McpSchema.ProgressNotification, Mono<Void>> sender) {
        this.token = token;
        this.sending = queue.asFlux()
                .concatMap(n -> sender.apply(n)
                        .onErrorResume(e -> {
                            log.debug("MCP server: a progress notification for token {} was not sent", token, e);
                            return Mono.empty();
                        }))
                .doFinally(s -> drained.tryEmitEmpty())
                .subscribe();
    }

    /**
     * A relay for a call whose request carried a usable {@code progressToken} (a string or an integer, as
     * the spec says), or {@code null} when it carried none: then nothing is sent.
     */
    static @Nullable ProgressRelay of(@Nullable Map<String, Object> meta,
            Function<McpSchema.ProgressNotification, Mono<Void>> sender) {
        Object token = meta == null ? null : meta.get("progressToken");
        boolean usable = token instanceof String
                || token instanceof Integer || token instanceof Long || token instanceof java.math.BigInteger;
        return usable ? new ProgressRelay(token, sender) : null;
    }

    /**
     * The events consumer of the call {@code callId}: its own progress reports are relayed (not those of
     * the calls it makes itself); every event also goes to {@code downstream}, the policy's own consumer.
     */
    Consumer<AgentEvent> events(String callId, @Nullable Consumer<AgentEvent> downstream) {
        return event -> {
            if (event instanceof AgentEvent.ToolProgress p && p.call().id().equals(callId)) {
                report(p);
            }
            if (downstream != null) {
                downstream.accept(event);
            }
        };
    }

    private synchronized void report(AgentEvent.ToolProgress p) {
        if (ended || p.progress() <= last) {
            return;
        }
        last = p.progress();
        queue.tryEmitNext(new McpSchema.ProgressNotification(token, p.progress(), p.total(), p.message(), null));
    }

    /** {@code call}, whose answer comes once the reports queued before it are sent; stops relaying when it ends. */
    <T> Mono<T> around(Mono<T> call) {
        return call.flatMap(result -> end().thenReturn(result))
                .doOnError(e -> end())
                .doOnCancel(() -> {
                    end();
                    sending.dispose();
                });
    }

    private Mono<Void> end() {
        synchronized (this) {
            ended = true;
            queue.tryEmitComplete();
        }
        return drained.asMono();
    }
}
