package dev.agentrt.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.internal.http.SharedHttpClient;
import dev.agentrt.core.internal.http.SseEvent;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

class ReplyDecoderTest {
    private static final ProviderHttp HTTP = new ProviderHttp("Test", SharedHttpClient.forConnectTimeout(
            Duration.ofSeconds(10)), Duration.ofSeconds(1), Duration.ofSeconds(1), RetryPolicy.DEFAULT, Map.of(),
            List.of("sk-secret-key"), 1 << 20);

    /** A reader for "text:", "start", "stop" and "error" events, as a provider's would be. */
    private static final ReplyDecoder.Reader<SseEvent> READER = (event, reply) -> {
        switch (event.event()) {
            case "start" -> reply.started();
            case "text" -> reply.text(event.data());
            case "stop" -> reply.finish(FinishReason.STOP);
            case "error" -> throw reply.providerError("sent an error during the reply", reply.json(event.data(),
                    "a stream event"));
            default -> {
                // not part of the reply
            }
        }
    };

    @Test
    void framesAfterTheFinalOneAreIgnored() {
        List<ChatEvent> events = decode("event: start\ndata: {}\n\nevent: text\ndata: a\n\nevent: stop\ndata: {}\n\n"
                + "event: text\ndata: late\n\nevent: error\ndata: not json\n\n");

        assertThat(events).containsExactly(ChatEvent.text("a"), ChatEvent.finish(FinishReason.STOP));
    }

    @Test
    void emptyTextIsNoEvent() {
        assertThat(decode("event: text\ndata:\n\nevent: stop\ndata: {}\n\n"))
                .containsExactly(ChatEvent.finish(FinishReason.STOP));
    }

    @Test
    void aBodyThatEndsBeforeTheFinalFrameIsABrokenReplyTheCallerMayAskAgainFor() {
        assertThatThrownBy(() -> decode("event: start\ndata: {}\n\nevent: text\ndata: a\n\n"))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessage("Test: the stream ended before the stop event; the reply is incomplete");
        assertThatThrownBy(() -> decode(": nothing but a comment\n\n"))
                .hasMessage("Test: the stream ended without any event");
    }

    @Test
    void aFrameOverTheLimitIsABrokenReply() {
        assertThatThrownBy(() -> decode("event: text\ndata: " + "x".repeat(100) + "\n\n"))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessageContaining("server-sent event larger than 64 bytes");
    }

    @Test
    void anErrorObjectInTheReplyIsTheProvidersErrorWithSecretsRemoved() {
        assertThatThrownBy(() -> decode("event: start\ndata: {}\n\nevent: error\ndata: {\"error\":{\"type\":"
                + "\"overloaded_error\",\"message\":\"key sk-secret-key is busy\"}}\n\n", 1024))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.isRetryable()).isTrue())
                .hasMessage("Test sent an error during the reply: overloaded_error: key [redacted] is busy");
    }

    @Test
    void aMalformedFrameIsAnInvalidReplyNotRetried() {
        assertThatThrownBy(() -> decode("event: error\ndata: {oops\n\n"))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.isRetryable()).isFalse())
                .hasMessageContaining("a stream event is not valid JSON");
    }

    @Test
    void newlineDelimitedRepliesReadALastLineWithoutItsLineEnd() {
        var decoder = ReplyDecoder.lines(HTTP, null, 64, "the last line", (line, reply) -> {
            reply.text(line);
            if (line.equals("end")) {
                reply.finish(FinishReason.LENGTH);
            }
        });
        var events = new ArrayList<ChatEvent>();

        decoder.feed(ByteBuffer.wrap("a\r\n\n  \nend".getBytes(StandardCharsets.UTF_8)), events::add);
        decoder.end(events::add);

        assertThat(events).containsExactly(ChatEvent.text("a"), ChatEvent.text("end"),
                ChatEvent.finish(FinishReason.LENGTH));
    }

    @Test
    void toolCallsKeepAFreeIndexAndOtherwiseTakeTheNextNumberAboveAllInUse() {
        var numbers = new ToolCallNumbers();

        assertThat(numbers.take(2)).isEqualTo(2);
        assertThat(numbers.take(0)).isEqualTo(0);
        assertThat(numbers.take(2)).as("an index reused for a second call").isEqualTo(3);
        assertThat(numbers.take(-1)).as("no index").isEqualTo(4);
        assertThat(numbers.take(1)).isEqualTo(1);
        assertThat(numbers.count()).isEqualTo(5);
    }

    private static List<ChatEvent> decode(String body) {
        return decode(body, 64);
    }

    private static List<ChatEvent> decode(String body, int maxEventBytes) {
        var decoder = ReplyDecoder.events(HTTP, null, maxEventBytes, "the stop event", READER);
        var events = new ArrayList<ChatEvent>();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // Two pieces: the decoder keeps its state between feeds.
        decoder.feed(ByteBuffer.wrap(bytes, 0, bytes.length / 2), events::add);
        decoder.feed(ByteBuffer.wrap(bytes, bytes.length / 2, bytes.length - bytes.length / 2), events::add);
        decoder.end(events::add);
        return events;
    }
}
