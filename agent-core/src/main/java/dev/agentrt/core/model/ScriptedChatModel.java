package dev.agentrt.core.model;

import dev.agentrt.core.ModelException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A {@link ChatModel} that answers from a script: for tests, examples that must run offline, and
 * benchmarks. It streams like a real model (text in chunks, tool calls as fragments, a usage
 * report, a finish event), optionally after a simulated latency that occupies no thread, and
 * records the requests it saw.
 *
 * <pre>{@code
 * var model = ScriptedChatModel.of(
 *     Reply.toolCall("read_file", "{\"path\":\"README.md\"}"),
 *     Reply.text("The README explains how to build."));
 * // ... run an agent on it, then:
 * assertThat(model.requests()).hasSize(2);
 * }</pre>
 *
 * <p>Thread-safe. By default replies are used in order, one per request, across all callers; a
 * request after the last reply fails with a {@link ModelException} (or starts over, with
 * {@link Builder#repeat()}). With {@link Builder#perConversation()} the reply is chosen by the
 * number of assistant turns already in the request, so concurrent tasks each follow the script.
 */
public final class ScriptedChatModel implements ChatModel {
    private final List<Reply> replies;
    private final @Nullable Function<ChatRequest, Reply> responder;
    private final Duration latency;
    private final boolean repeat;
    private final boolean perConversation;
    private final boolean record;
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentLinkedQueue<ChatRequest> requests = new ConcurrentLinkedQueue<>();

    private ScriptedChatModel(Builder b) {
        this.replies = List.copyOf(b.replies);
        this.responder = b.responder;
        this.latency = b.latency;
        this.repeat = b.repeat;
        this.perConversation = b.perConversation;
        this.record = b.record;
    }

    /** Replies in order, one per request, without latency. */
    public static ScriptedChatModel of(Reply... replies) {
        return builder().replies(replies).build();
    }

    /** Replies computed from each request. */
    public static ScriptedChatModel responding(Function<ChatRequest, Reply> responder) {
        return builder().responder(responder).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Flux<ChatEvent> stream(ChatRequest request) {
        return Flux.defer(() -> {
            if (record) {
                requests.add(request);
            }
            Reply reply;
            try {
                reply = choose(request);
            } catch (RuntimeException e) {
                return Flux.error(e);
            }
            Flux<ChatEvent> events = reply.error != null ? Flux.error(reply.error) : Flux.fromArray(reply.events);
            return latency.isZero() ? events : Mono.delay(latency).thenMany(events);
        });
    }

    /** Up: a script is always there; checking it consumes no reply. */
    @Override
    public Mono<ModelReachability> reachability() {
        return Mono.just(ModelReachability.up("scripted model, in process"));
    }

    private Reply choose(ChatRequest request) {
        if (responder != null) {
            return Objects.requireNonNull(responder.apply(request), "the responder returned null");
        }
        int index;
        if (perConversation) {
            index = 0;
            List<Message> messages = request.messages();
            for (int i = 0, n = messages.size(); i < n; i++) {
                if (messages.get(i) instanceof Message.Assistant) {
                    index++;
                }
            }
        } else {
            index = next.getAndIncrement();
        }
        if (index >= replies.size()) {
            if (!repeat || replies.isEmpty()) {
                throw new ModelException("the script has no reply number " + (index + 1) + " (it has " + replies.size()
                        + ")");
            }
            index %= replies.size();
        }
        return replies.get(index);
    }

    /** The requests seen so far, in arrival order (empty when recording is off). */
    public List<ChatRequest> requests() {
        return List.copyOf(requests);
    }

    /** The most recent request. */
    public ChatRequest lastRequest() {
        ChatRequest last = null;
        for (ChatRequest r : requests) {
            last = r;
        }
        if (last == null) {
            throw new IllegalStateException("no request was recorded");
        }
        return last;
    }

    /**
     * One scripted reply. Its events are built once, so replaying it allocates nothing but what
     * Reactor needs.
     */
    public static final class Reply {
        private static final AtomicLong IDS = new AtomicLong();

        private final ChatEvent[] events;
        private final @Nullable ModelException error;

        private Reply(ChatEvent[] events, @Nullable ModelException error) {
            this.events = events;
            this.error = error;
        }

        /** A final answer. */
        public static Reply text(String text) {
            return of(text, List.of(), Usage.of(10, Math.max(1, text.length() / 4)));
        }

        /** One tool call with JSON arguments (sent as-is: malformed JSON is allowed, for tests). */
        public static Reply toolCall(String name, String arguments) {
            return toolCalls(new ToolCall(newId(), name, arguments));
        }

        /** Several tool calls in one reply. */
        public static Reply toolCalls(ToolCall... calls) {
            return of("", List.of(calls), Usage.of(10, 5));
        }

        /** A reply with text, tool calls and the usage to report. */
        public static Reply of(String text, List<ToolCall> calls, Usage usage) {
            var events = new ArrayList<ChatEvent>();
            // Stream text in two chunks and arguments in two fragments, as providers do.
            if (!text.isEmpty()) {
                int cut = text.length() / 2;
                if (cut > 0) {
                    events.add(new ChatEvent.TextDelta(text.substring(0, cut)));
                }
                events.add(new ChatEvent.TextDelta(text.substring(cut)));
            }
            for (int i = 0; i < calls.size(); i++) {
                ToolCall c = calls.get(i);
                String args = c.arguments();
                int cut = args.length() / 2;
                events.add(new ChatEvent.ToolCallDelta(i, c.id(), c.name(), args.substring(0, cut)));
                events.add(new ChatEvent.ToolCallDelta(i, null, null, args.substring(cut)));
            }
            events.add(new ChatEvent.UsageReport(usage));
            events.add(new ChatEvent.Finish(calls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS));
            return new Reply(events.toArray(ChatEvent[]::new), null);
        }

        /** Exactly these events, for tests of malformed streams (no finish, duplicate finish...). */
        public static Reply events(ChatEvent... events) {
            return new Reply(events.clone(), null);
        }

        /** The request fails with {@code error}. */
        public static Reply error(ModelException error) {
            return new Reply(new ChatEvent[0], Objects.requireNonNull(error, "error"));
        }

        public static String newId() {
            return "call_" + IDS.incrementAndGet();
        }
    }

    /** Configures a {@link ScriptedChatModel}. */
    public static final class Builder {
        private final List<Reply> replies = new ArrayList<>();
        private @Nullable Function<ChatRequest, Reply> responder;
        private Duration latency = Duration.ZERO;
        private boolean repeat;
        private boolean perConversation;
        private boolean record = true;

        private Builder() {}

        public Builder replies(Reply... replies) {
            this.replies.addAll(List.of(replies));
            return this;
        }

        public Builder reply(Reply reply) {
            this.replies.add(Objects.requireNonNull(reply, "reply"));
            return this;
        }

        /** Computes each reply from the request instead of a fixed list. */
        public Builder responder(Function<ChatRequest, Reply> responder) {
            this.responder = Objects.requireNonNull(responder, "responder");
            return this;
        }

        /** Delays each reply without blocking a thread (Reactor's timer). */
        public Builder latency(Duration latency) {
            if (latency.isNegative()) {
                throw new IllegalArgumentException("latency must not be negative, was " + latency);
            }
            this.latency = latency;
            return this;
        }

        /** Starts the script over after the last reply. */
        public Builder repeat() {
            this.repeat = true;
            return this;
        }

        /** Chooses the reply by the request's number of assistant turns (for concurrent tasks). */
        public Builder perConversation() {
            this.perConversation = true;
            return this;
        }

        /** Whether to keep the requests (default true; turn off for long runs). */
        public Builder recordRequests(boolean record) {
            this.record = record;
            return this;
        }

        public ScriptedChatModel build() {
            if (responder != null && !replies.isEmpty()) {
                throw new IllegalStateException("set either replies or a responder, not both");
            }
            if (responder == null && replies.isEmpty()) {
                throw new IllegalStateException("replies are not set: add at least one reply or a responder");
            }
            return new ScriptedChatModel(this);
        }
    }
}
