package dev.agentrt.core.internal.provider;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.internal.http.EventStreamDecoder;
import dev.agentrt.core.internal.http.LineDecoder;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.internal.http.SseDecoder;
import dev.agentrt.core.internal.http.SseEvent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The part of decoding a streamed reply that every provider shares, around the provider's
 * {@link Reader} of one frame (a server-sent event, a line of newline-delimited JSON): the framing
 * and its size limit, the events the reader emits, the end of the reply (a frame the reader calls
 * {@link #finish}; frames after it are ignored), and the errors: a frame too large or a body that
 * ends before the final frame is a broken reply (retryable by the caller), a malformed frame or
 * impossible content is an invalid one, an error object sent inside the reply is the provider's error.
 *
 * <pre>{@code
 * // in a codec: one decoder per reply, with a reader that keeps that reply's state
 * return ReplyDecoder.events(http, requestId, MAX_EVENT_BYTES, "message_stop", new StreamReader());
 * // in the reader: reply.text(...), reply.toolCall(...), reply.usage(...), then reply.finish(reason)
 * }</pre>
 *
 * <p>Confined to one reply, fed by one thread at a time; not thread-safe.
 *
 * @param <F> the frame type
 */
public final class ReplyDecoder<F> implements ProviderHttp.StreamDecoder<ChatEvent> {
    /** A provider's reading of the frames of one reply; it keeps the reply's state. */
    @FunctionalInterface
    public interface Reader<F> {
        /** Reads one frame, emitting what it says through {@code reply}, or throws a {@link ModelException}. */
        void read(F frame, ReplyDecoder<F> reply);

        /**
         * The body ended cleanly before any frame finished the reply. A provider whose stream has no
         * final frame (Gemini's ends with the body) finishes the reply here when what it read allows;
         * otherwise the reply is incomplete. Does nothing unless overridden.
         */
        default void end(ReplyDecoder<F> reply) {}
    }

    private final ProviderHttp http;
    private final @Nullable String requestId;
    private final Framing<F> framing;
    private final String finalFrame;
    private final Reader<F> reader;
    private final Consumer<F> onFrame = this::onFrame;
    // The consumer of the feed under way; the frame consumer is made once, not per chunk.
    private @Nullable Consumer<ChatEvent> out;
    private boolean started;
    private boolean finished;
    private @Nullable String responseId;
    private @Nullable String responseModel;

    private ReplyDecoder(ProviderHttp http, @Nullable String requestId, Framing<F> framing, String finalFrame,
            Reader<F> reader) {
        this.http = http;
        this.requestId = requestId;
        this.framing = framing;
        this.finalFrame = finalFrame;
        this.reader = reader;
    }

    /**
     * A decoder for a {@code text/event-stream} reply.
     *
     * @param maxEventBytes the most bytes one event may hold
     * @param finalEvent how messages name the event that ends a reply ("message_stop")
     */
    public static ReplyDecoder<SseEvent> events(ProviderHttp http, @Nullable String requestId, int maxEventBytes,
            String finalEvent, Reader<SseEvent> reader) {
        return new ReplyDecoder<>(http, requestId, new Events(new SseDecoder(maxEventBytes)), finalEvent, reader);
    }

    /**
     * A decoder for a newline-delimited JSON reply; blank lines are skipped, a last line without a
     * line end is read at the end.
     *
     * @param maxLineBytes the most bytes one line may hold
     * @param finalLine how messages name the line that ends a reply
     */
    public static ReplyDecoder<String> lines(ProviderHttp http, @Nullable String requestId, int maxLineBytes,
            String finalLine, Reader<String> reader) {
        return new ReplyDecoder<>(http, requestId, new Lines(new LineDecoder(maxLineBytes)), finalLine, reader);
    }

    /**
     * A decoder for a reply in the AWS event-stream encoding ({@code application/vnd.amazon.eventstream});
     * a malformed message (a checksum that does not match, impossible lengths, one larger than
     * {@code maxMessageBytes}) is an invalid reply.
     *
     * @param maxMessageBytes the most bytes one message may hold
     * @param finalMessage how messages name the message that ends a reply
     */
    public static ReplyDecoder<EventStreamDecoder.Message> messages(ProviderHttp http, @Nullable String requestId,
            int maxMessageBytes, String finalMessage, Reader<EventStreamDecoder.Message> reader) {
        return new ReplyDecoder<>(http, requestId, new Messages(new EventStreamDecoder(maxMessageBytes)),
                finalMessage, reader);
    }

    @Override
    public void feed(ByteBuffer buffer, Consumer<ChatEvent> out) {
        this.out = out;
        try {
            framing.feed(buffer, onFrame);
        } catch (SseDecoder.TooLargeException | LineDecoder.TooLargeException e) {
            throw http.broken(e.getMessage(), requestId, e);
        } catch (EventStreamDecoder.MalformedException e) {
            throw http.invalid(e.getMessage(), requestId, e);
        } finally {
            this.out = null;
        }
    }

    /**
     * Reads one whole frame, as if it had arrived in the stream (a non-streamed reply that has the
     * form of the stream's last frame).
     */
    public void frame(F frame, Consumer<ChatEvent> out) {
        this.out = out;
        try {
            onFrame(frame);
        } finally {
            this.out = null;
        }
    }

    @Override
    public void end(Consumer<ChatEvent> out) {
        this.out = out;
        try {
            framing.end(onFrame);
            if (!finished) {
                reader.end(this);
            }
        } catch (EndedInsideMessage e) {
            throw broken(e.getMessage());
        } finally {
            this.out = null;
        }
        if (!finished) {
            throw broken(started
                    ? "the stream ended before " + finalFrame + "; the reply is incomplete"
                    : "the stream ended without any " + framing.noun());
        }
    }

    private void onFrame(F frame) {
        if (!finished) {
            reader.read(frame, this);
        }
    }

    // ------------------------------------------------------------------ for the reader

    /** The reply has begun: a body that ends now is incomplete rather than empty. */
    public void started() {
        started = true;
    }

    /** Whether {@link #started} was called. */
    public boolean hasStarted() {
        return started;
    }

    /** A piece of text, unless empty. */
    public void text(String text) {
        if (!text.isEmpty()) {
            emit(ChatEvent.text(text));
        }
    }

    /** A piece of a tool call (see {@link ChatEvent.ToolCallDelta}). */
    public void toolCall(int number, @Nullable String id, @Nullable String name, String argumentsFragment) {
        emit(new ChatEvent.ToolCallDelta(number, id, name, argumentsFragment));
    }

    /** The tokens used so far. */
    public void usage(Usage usage) {
        emit(new ChatEvent.UsageReport(usage));
    }

    /** A piece of readable reasoning, for display (see {@link ChatEvent.ReasoningDelta}); empty pieces are dropped. */
    public void reasoningText(String text) {
        if (!text.isEmpty()) {
            emit(new ChatEvent.ReasoningDelta(text));
        }
    }

    /** A finished reasoning block, kept with the reply. */
    public void reasoning(Reasoning reasoning) {
        emit(new ChatEvent.ReasoningBlock(reasoning));
    }

    /**
     * What the provider calls the reply and which model wrote it, for the finish event; null or empty when a
     * frame does not say. The first value named is kept: a later frame that names another is ignored.
     */
    public void identified(@Nullable String id, @Nullable String model) {
        if (responseId == null && id != null && !id.isEmpty()) {
            responseId = id;
        }
        if (responseModel == null && model != null && !model.isEmpty()) {
            responseModel = model;
        }
    }

    /**
     * The end of the reply: emits its finish event, with the reply's id and model if {@link #identified} named
     * them; what follows in the body is ignored.
     */
    public void finish(FinishReason reason) {
        finished = true;
        emit(new ChatEvent.Finish(reason, responseId, responseModel));
    }

    /** {@code text} as a JSON object, or an invalid-reply error naming {@code what} ("a stream event"). */
    public JsonObject json(String text, String what) {
        return http.object(text, requestId, what);
    }

    /** An error object the provider sent inside the reply ({@code what}: "sent an error during the reply"). */
    public ModelException providerError(String what, JsonObject json) {
        return http.replyError(what, json, requestId);
    }

    /** A reply that broke a rule of the protocol (not retryable). */
    public ModelException invalid(String message) {
        return http.invalid(message, requestId, null);
    }

    /** A reply that broke off (retryable by the caller). */
    public ModelException broken(String message) {
        return http.broken(message, requestId, null);
    }

    private void emit(ChatEvent event) {
        Objects.requireNonNull(out, "no feed under way").accept(event);
    }

    /** How a body is cut into frames. */
    private sealed interface Framing<F> permits Events, Lines, Messages {
        void feed(ByteBuffer buffer, Consumer<F> frames);

        void end(Consumer<F> frames);

        /** What a frame is called in messages. */
        String noun();
    }

    private record Events(SseDecoder sse) implements Framing<SseEvent> {
        @Override
        public void feed(ByteBuffer buffer, Consumer<SseEvent> frames) {
            sse.feed(buffer, frames);
        }

        @Override
        public void end(Consumer<SseEvent> frames) {
            sse.end(frames);
        }

        @Override
        public String noun() {
            return "event";
        }
    }

    private record Lines(LineDecoder lines) implements Framing<String> {
        @Override
        public void feed(ByteBuffer buffer, Consumer<String> frames) {
            lines.feed(buffer, frames);
        }

        @Override
        public void end(Consumer<String> frames) {
            lines.end(frames);
        }

        @Override
        public String noun() {
            return "line";
        }
    }

    private record Messages(EventStreamDecoder decoder) implements Framing<EventStreamDecoder.Message> {
        @Override
        public void feed(ByteBuffer buffer, Consumer<EventStreamDecoder.Message> frames) {
            decoder.feed(buffer, frames);
        }

        @Override
        public void end(Consumer<EventStreamDecoder.Message> frames) {
            if (!decoder.atBoundary()) {
                throw new EndedInsideMessage(decoder.pending());
            }
        }

        @Override
        public String noun() {
            return "message";
        }
    }

    /** The body ended inside a message. */
    private static final class EndedInsideMessage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EndedInsideMessage(int pending) {
            super("the stream ended inside a message (" + pending + " bytes of it arrived); the reply is incomplete");
        }
    }
}
