package dev.agentrt.tools.internal.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpStreamableServerTransport;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One session's stream for what the server sends outside the answer to a request (the SDK's
 * "listening stream": {@code notifications/…list_changed}, a {@code roots/list} request, logging),
 * which a client receives by opening a {@code GET} on the endpoint.
 *
 * <p>The SDK's session is given this stream at the session's first {@code GET} and keeps it until the
 * session ends; before that first {@code GET}, the SDK finds no stream and drops what it would send.
 * Every message gets an event id, {@code 1}, {@code 2}, … in the session, and the last {@value
 * #MAX_EVENTS} are kept, also while no {@code GET} is connected, so a client whose stream broke resumes
 * with {@code Last-Event-ID} and gets what followed that id, as the spec provides. At most one {@code
 * GET} is connected at a time, so that each message goes out on one stream only: a new one (a client
 * reconnecting or resuming, whose old connection may not be noticed as gone yet: the server learns that
 * only when a write fails) replaces the connected one, which ends; without {@code Last-Event-ID} it gets
 * what the server sends from then on. (Refusing it instead, as the TypeScript SDK's server does with
 * 409, leaves a client that reconnects without an event id, like the Vercel AI SDK's, with no stream at
 * all, and the revisions allow only an event stream or 405 as the answer to a {@code GET}.) A connected
 * client that falls {@value #MAX_EVENTS} events behind has its stream ended; it resumes from its last
 * event.
 */
final class ListeningStream implements McpStreamableServerTransport {
    /** How many of the latest events a session keeps for resumption. */
    static final int MAX_EVENTS = 256;

    /** One event: its id in the session and the message's JSON. */
    record Event(long id, String data) {}

    /** What a {@code GET} gets: the events to stream, or why it is refused (an HTTP status and a message). */
    sealed interface Opening {}

    record Opened(Flux<Event> events) implements Opening {}

    record Refusal(int status, String message) implements Opening {}

    private final McpJsonMapper json;
    private final AtomicBoolean given = new AtomicBoolean();
    private final ArrayDeque<Event> kept = new ArrayDeque<>();
    private long nextId = 1;
    private Sinks.@Nullable Many<Event> client;
    private boolean closed;

    ListeningStream(McpJsonMapper json) {
        this.json = json;
    }

    /** True the first time only: the caller then hands this stream to the SDK's session. */
    boolean claim() {
        return given.compareAndSet(false, true);
    }

    /**
     * Connects a {@code GET}, resuming after {@code lastEventId} when it is not {@code null}.
     */
    synchronized Opening open(@Nullable String lastEventId) {
        if (closed) {
            return new Refusal(404, "Session not found: it has ended; initialize a new one");
        }
        long after = nextId - 1;
        if (lastEventId != null) {
            String id = lastEventId.trim();
            long n = id.matches("\\d{1,18}") ? Long.parseLong(id) : -1;
            if (n < 0 || n >= nextId) {
                return new Refusal(400, "Bad request: Last-Event-ID " + clip(id)
                        + " is not an event of this session's GET stream");
            }
            long oldest = kept.isEmpty() ? nextId : kept.peekFirst().id();
            if (n < oldest - 1) {
                return new Refusal(400, "Bad request: the events after " + n + " are no longer kept (only the last "
                        + MAX_EVENTS + " are); open a new GET stream without Last-Event-ID");
            }
            after = n;
        }
        if (client != null) {
            client.tryEmitComplete(); // the new GET replaces the stream its client (or another) had
        }
        Sinks.Many<Event> sink = Sinks.many().unicast().onBackpressureBuffer(Queues.<Event>get(MAX_EVENTS).get());
        for (Event e : kept) {
            if (e.id() > after) {
                sink.tryEmitNext(e);
            }
        }
        client = sink;
        return new Opened(sink.asFlux().doFinally(s -> disconnected(sink)));
    }

    private synchronized void disconnected(Sinks.Many<Event> sink) {
        if (client == sink) {
            client = null;
        }
    }

    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
        return sendMessage(message, null);
    }

    /** Keeps the message under the session's next event id (not the SDK's {@code messageId}) and streams it. */
    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message, @Nullable String messageId) {
        return Mono.fromRunnable(() -> append(write(message)));
    }

    private synchronized void append(String data) {
        if (closed) {
            return;
        }
        var event = new Event(nextId++, data);
        kept.addLast(event);
        if (kept.size() > MAX_EVENTS) {
            kept.removeFirst();
        }
        Sinks.Many<Event> c = client;
        if (c != null && c.tryEmitNext(event).isFailure()) {
            // Too far behind (or gone): end its stream; it resumes from the last event it got.
            c.tryEmitComplete();
            client = null;
        }
    }

    private String write(JSONRPCMessage message) {
        try {
            return json.writeValueAsString(message);
        } catch (IOException e) {
            throw new UncheckedIOException("could not encode an MCP message", e);
        }
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return json.convertValue(data, typeRef);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.fromRunnable(this::close);
    }

    /** Ends the connected {@code GET}, if any, and refuses later ones; the session has ended. */
    @Override
    public synchronized void close() {
        closed = true;
        kept.clear();
        if (client != null) {
            client.tryEmitComplete();
            client = null;
        }
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
