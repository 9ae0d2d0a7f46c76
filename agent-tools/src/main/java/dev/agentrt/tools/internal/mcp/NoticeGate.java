package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A client transport that hands the server's notifications to {@code take} before the SDK's client sees them; a
 * notification {@code take} accepts goes no further. The SDK answers each {@code list_changed} with a listing and
 * each {@code resources/updated} with a read, one per notification and for any URI, so a server that floods them
 * would have the client flood it back: these are taken here and answered by {@link McpNotices}, coalesced.
 *
 * <p>It also carries requests of ours that the SDK's client cannot make or read ({@link #request}: a task-augmented
 * {@code tools/call}, {@code tasks/*}), their answers taken before the SDK sees them, and notes each tool's
 * {@code execution.taskSupport} from the {@code tools/list} answers going by (the SDK's tool drops it).
 */
final class NoticeGate extends ForwardingTransport {
    private static final String OWN_ID = "agentrt-own-";
    private final Predicate<McpSchema.JSONRPCNotification> take;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Sinks.One<McpSchema.JSONRPCResponse>> pending = new ConcurrentHashMap<>();
    private final Set<Object> toolListings = ConcurrentHashMap.newKeySet();
    private final Map<String, String> taskSupport = new ConcurrentHashMap<>();

    NoticeGate(McpClientTransport inner, Predicate<McpSchema.JSONRPCNotification> take) {
        super(inner);
        this.take = take;
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return inner.connect(in -> in.flatMap(m -> {
            if (m instanceof McpSchema.JSONRPCNotification n && take.test(n)) {
                return Mono.empty();
            }
            if (m instanceof McpSchema.JSONRPCResponse r) {
                if (r.id() instanceof String id && id.startsWith(OWN_ID)) {
                    Sinks.One<McpSchema.JSONRPCResponse> waiting = pending.remove(id);
                    if (waiting != null) {
                        waiting.tryEmitValue(r);
                    }
                    return Mono.empty();
                }
                if (r.id() != null && toolListings.remove(r.id())) {
                    noteTaskSupport(r.result());
                }
            }
            return handler.apply(Mono.just(m));
        }));
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        if (message instanceof McpSchema.JSONRPCRequest r && McpSchema.METHOD_TOOLS_LIST.equals(r.method())
                && r.id() != null) {
            toolListings.add(r.id());
        }
        return inner.sendMessage(message);
    }

    /**
     * Sends the request {@code method} with {@code params}; its result (a JSON object as maps and lists), or a
     * failure: an {@link McpError} for the server's JSON-RPC error. Cancelling forgets it.
     */
    Mono<Object> request(String method, Map<String, Object> params) {
        return Mono.defer(() -> {
            String id = OWN_ID + ids.incrementAndGet();
            Sinks.One<McpSchema.JSONRPCResponse> answer = Sinks.one();
            pending.put(id, answer);
            return inner.sendMessage(new McpSchema.JSONRPCRequest(McpSchema.JSONRPC_VERSION, method, id, params))
                    .then(answer.asMono())
                    .flatMap(r -> r.error() != null
                            ? Mono.<Object>error(new McpError(r.error()))
                            : Mono.justOrEmpty(r.result()))
                    .doFinally(s -> pending.remove(id));
        });
    }

    /** The {@code execution.taskSupport} the latest listing gave tool {@code name}: forbidden when it gave none. */
    String taskSupport(String name) {
        return taskSupport.getOrDefault(name, "forbidden");
    }

    private void noteTaskSupport(@Nullable Object result) {
        if (result instanceof Map<?, ?> listing && listing.get("tools") instanceof List<?> tools) {
            for (Object t : tools) {
                if (t instanceof Map<?, ?> tool && tool.get("name") instanceof String name) {
                    if (tool.get("execution") instanceof Map<?, ?> execution
                            && execution.get("taskSupport") instanceof String support) {
                        taskSupport.put(name, support);
                    } else {
                        taskSupport.remove(name);
                    }
                }
            }
        }
    }
}
