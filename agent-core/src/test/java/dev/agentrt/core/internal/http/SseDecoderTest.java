package dev.agentrt.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;

class SseDecoderTest {
    private static final int MAX = 1 << 16;

    /** CRLF, LF and CR line ends, a BOM, comments, ids, retry, 2-, 3- and 4-byte characters, and a cut last event. */
    private static final String REALISTIC = "\uFEFF"
            + ": welcome\r\n"
            + "retry: 2500\r\n"
            + "\r\n"
            + "event: message_start\r\n"
            + "id: 1\r\n"
            + "data: {\"text\":\"caf\u00e9\"}\r\n"
            + "\r\n"
            + "event: content_block_delta\n"
            + "data: {\"text\":\"5 \u20ac\"}\n"
            + ": keep-alive between data lines\n"
            + "data: {\"text\":\"\uD83D\uDE00 ok\"}\n"
            + "\n"
            + "data:no space, \u00e9\u20ac\uD83D\uDE00\r"
            + "\r"
            + "id: 2\r\n"
            + "data\r\n"
            + "\r\n"
            + "data: [DONE]\n"
            + "\n"
            + "data: cut off \u20ac";

    private static final List<SseEvent> REALISTIC_EVENTS = List.of(
            new SseEvent("message_start", "{\"text\":\"caf\u00e9\"}", "1"),
            new SseEvent("content_block_delta", "{\"text\":\"5 \u20ac\"}\n{\"text\":\"\uD83D\uDE00 ok\"}", "1"),
            new SseEvent("message", "no space, \u00e9\u20ac\uD83D\uDE00", "1"),
            new SseEvent("message", "", "2"),
            new SseEvent("message", "[DONE]", "2"));

    // --------------------------------------------------------------------------------------------
    // The examples of the WHATWG specification

    @Test
    void stockExampleJoinsDataLinesWithNewlines() {
        assertThat(decode("data: YHOO\ndata: +2\ndata: 10\n\n")).containsExactly(message("YHOO\n+2\n10", null));
    }

    @Test
    void blocksSeparatedByBlankLinesAreSeparateEvents() {
        String stream = """
                data: This is the first message.

                data: This is the second message, it
                data: has two lines.

                data: This is the third message.

                """;

        assertThat(decode(stream))
                .containsExactly(
                        message("This is the first message.", null),
                        message("This is the second message, it\nhas two lines.", null),
                        message("This is the third message.", null));
    }

    @Test
    void eventFieldNamesTheEventType() {
        String stream = """
                event: add
                data: 73857293

                event: remove
                data: 2153

                event: add
                data: 113411

                """;

        assertThat(decode(stream))
                .containsExactly(
                        new SseEvent("add", "73857293", null),
                        new SseEvent("remove", "2153", null),
                        new SseEvent("add", "113411", null));
    }

    @Test
    void commentsAreIgnoredAndAnIdWithoutValueResetsTheLastEventIdToEmpty() {
        String stream = """
                : test stream

                data: first event
                id: 1

                data:second event
                id

                data:  third event

                """;

        assertThat(decode(stream))
                .containsExactly(message("first event", "1"), message("second event", ""), message(" third event", ""));
    }

    @Test
    void dataWithoutColonAppendsAnEmptyLineAndTheUnterminatedLastBlockIsDiscarded() {
        SseDecoder decoder = new SseDecoder(MAX);

        List<SseEvent> events = feedAll(decoder, bytes("data\n\ndata\ndata\n\ndata:"));

        assertThat(events).containsExactly(message("", null), message("\n", null));
        assertThat(decoder.midEvent()).isTrue();
    }

    @Test
    void oneLeadingSpaceOfTheValueIsOptional() {
        assertThat(decode("data:test\n\ndata: test\n\n")).containsExactly(message("test", null), message("test", null));
    }

    // --------------------------------------------------------------------------------------------
    // Fields

    @Test
    void eventTypeIsResetAfterEachEventEvenWithoutData() {
        assertThat(decode("event: first\n\ndata: a\n\nevent: second\ndata: b\n\ndata: c\n\n"))
                .containsExactly(message("a", null), new SseEvent("second", "b", null), message("c", null));
    }

    @Test
    void emptyEventTypeMeansMessage() {
        assertThat(decode("event:\ndata: a\n\n")).containsExactly(message("a", null));
    }

    @Test
    void lastEventIdPersistsAcrossEventsUntilChanged() {
        SseDecoder decoder = new SseDecoder(MAX);

        List<SseEvent> events = feedAll(decoder, bytes("id: 7\ndata: a\n\ndata: b\n\nid: 8\n\ndata: c\n\n"));

        assertThat(events).containsExactly(message("a", "7"), message("b", "7"), message("c", "8"));
        assertThat(decoder.lastEventId()).isEqualTo("8");
    }

    @Test
    void idContainingNulIsIgnored() {
        assertThat(decode("id: 1\ndata: a\n\nid: 2\u00003\ndata: b\n\n"))
                .containsExactly(message("a", "1"), message("b", "1"));
    }

    @Test
    void lastEventIdIsNullUntilSet() {
        SseDecoder decoder = new SseDecoder(MAX);

        assertThat(feedAll(decoder, bytes("data: a\n\n"))).containsExactly(message("a", null));
        assertThat(decoder.lastEventId()).isNull();
    }

    @Test
    void retryWithOnlyDigitsSetsTheReconnectionTime() {
        SseDecoder decoder = new SseDecoder(MAX);
        assertThat(decoder.retryMillis()).isEmpty();

        feedAll(decoder, bytes("retry: 3000\n\n"));
        assertThat(decoder.retryMillis()).hasValue(3000);

        feedAll(decoder, bytes("retry: 3s\nretry: -1\nretry: 1.5\nretry:\nretry: 99999999999999999999999\n\n"));
        assertThat(decoder.retryMillis()).hasValue(3000);

        feedAll(decoder, bytes("retry:0\n\n"));
        assertThat(decoder.retryMillis()).isEqualTo(OptionalLong.of(0));
    }

    @Test
    void unknownAndMiscasedFieldsAreIgnored() {
        assertThat(decode("foo: bar\nData: x\ndata: kept\nEVENT: loud\n\n")).containsExactly(message("kept", null));
    }

    @Test
    void onlyTheFirstColonSeparatesNameAndValue() {
        assertThat(decode("data: a: b:c\n\ndata::x\n\n")).containsExactly(message("a: b:c", null), message(":x", null));
    }

    @Test
    void valueKeepsTrailingWhitespaceAndFurtherLeadingSpaces() {
        assertThat(decode("data:   x  \n\n")).containsExactly(message("  x  ", null));
    }

    // --------------------------------------------------------------------------------------------
    // Lines

    @Test
    void linesMayEndWithCrLfLfOrCr() {
        assertThat(decode("data: a\r\ndata: b\ndata: c\r\r\ndata: d\n\rdata: e\r\n\n"))
                .containsExactly(message("a\nb\nc", null), message("d", null), message("e", null));
    }

    @Test
    void crAtTheEndOfOneChunkAndLfAtTheStartOfTheNextAreOneLineEnd() {
        List<SseEvent> events = feedAll(new SseDecoder(MAX), bytes("data: a\r"), bytes("\ndata: b\r"), bytes("\n\r"),
                bytes("\n"));

        assertThat(events).containsExactly(message("a\nb", null));
    }

    @Test
    void crFollowedByAnEmptyChunkStillPairsWithTheNextLf() {
        List<SseEvent> events = feedAll(new SseDecoder(MAX), bytes("data: a\r"), bytes(""), bytes("\n\n"));

        assertThat(events).containsExactly(message("a", null));
    }

    @Test
    void byteOrderMarkIsSkippedAtTheStartOnly() {
        assertThat(decode("\uFEFFdata: a\n\ndata: \uFEFFb\n\n"))
                .containsExactly(message("a", null), message("\uFEFFb", null));
        assertThat(decode("\uFEFF\uFEFFdata: a\n\n")).isEmpty();
    }

    @Test
    void bytesThatOnlyBeginLikeAByteOrderMarkAreKept() {
        byte[] stream = {(byte) 0xEF, (byte) 0xBB, 'd', '\n', '\n', 'd', 'a', 't', 'a', ':', (byte) 0xEF, '\n', '\n'};

        assertThat(feedAll(new SseDecoder(MAX), stream)).containsExactly(message("\uFFFD", null));
        for (int split = 0; split <= stream.length; split++) {
            assertThat(feedAll(
                    new SseDecoder(MAX),
                    Arrays.copyOfRange(stream, 0, split),
                    Arrays.copyOfRange(stream, split, stream.length)))
                    .containsExactly(message("\uFFFD", null));
        }
    }

    @Test
    void commentsMayAppearAnywhere() {
        String stream = ":start\n: ping\n\ndata: a\n:between\ndata: b\n: before the end\n\n:\n\n";

        assertThat(decode(stream)).containsExactly(message("a\nb", null));
    }

    @Test
    void malformedUtf8BecomesReplacementCharacter() {
        byte[] stream = {'d', 'a', 't', 'a', ':', ' ', 'a', (byte) 0xFF, 'b', (byte) 0xE2, (byte) 0x82, '\n', '\n'};

        assertThat(feedAll(new SseDecoder(MAX), stream)).containsExactly(message("a\uFFFDb\uFFFD", null));
    }

    @Test
    void aFieldNameWithoutColonHasAnEmptyValue() {
        assertThat(decode("event: named\nevent\ndata: a\n\n")).containsExactly(message("a", null));
    }

    @Test
    void aStreamOfCrOnlyLinesDecodes() {
        assertThat(decode("data: a\rdata: b\r\revent: x\rdata: c\r\r")).containsExactly(message("a\nb", null),
                new SseEvent("x", "c", null));
    }

    @Test
    void aByteOrderMarkAndCommentsAloneAreNoEvent() {
        SseDecoder decoder = new SseDecoder(MAX);

        assertThat(feedAll(decoder, bytes("\uFEFF: hello\r\n: ping\r\n\r\n"))).isEmpty();
        assertThat(decoder.midEvent()).isFalse();
    }

    @Test
    void theEventLimitCountsDataLinesEndedByCrOnly() {
        assertThatThrownBy(() -> feedAll(new SseDecoder(20), bytes("data: abc\rdata: def\rdata: ghi\r\r")))
                .isInstanceOf(SseDecoder.TooLargeException.class);
        assertThat(feedAll(new SseDecoder(20), bytes("data: abc\r\rdata: def\r\rdata: ghi\r\r"))).hasSize(3);
    }

    // --------------------------------------------------------------------------------------------
    // Recorded provider streams (src/test/resources/streams): the same events wherever they are cut

    @ParameterizedTest
    @ValueSource(strings = {"anthropic-text-and-tool-use.sse", "openai-parallel-tool-calls.sse",
            "openai-compatible-index-reuse.sse"})
    void recordedStreamGivesTheSameEventsWhereverItIsCut(String name) {
        byte[] stream = resource(name);
        Outcome whole = run(BufferKind.HEAP, stream);
        assertThat(whole.events()).isNotEmpty();
        assertThat(whole.midEvent()).isFalse();

        for (int split = 0; split <= stream.length; split++) {
            Outcome outcome = run(BufferKind.HEAP_WITH_OFFSET, Arrays.copyOfRange(stream, 0, split),
                    Arrays.copyOfRange(stream, split, stream.length));

            assertThat(outcome).as("%s split at %d", name, split).isEqualTo(whole);
        }
    }

    @Test
    void recordedAnthropicStreamHasItsEventsInOrder() {
        List<SseEvent> events = run(BufferKind.DIRECT, resource("anthropic-text-and-tool-use.sse")).events();

        assertThat(events).extracting(SseEvent::event)
                .startsWith("message_start", "content_block_start", "ping", "content_block_delta")
                .endsWith("content_block_stop", "message_delta", "message_stop");
        assertThat(events).hasSize(19);
    }

    @Test
    void recordedOpenAiStreamSkipsTheGatewaysCommentsAndEndsWithDone() {
        List<SseEvent> events = run(BufferKind.DIRECT, resource("openai-parallel-tool-calls.sse")).events();

        assertThat(events).extracting(SseEvent::event).containsOnly("message");
        assertThat(events).hasSize(13).last().isEqualTo(message("[DONE]", null));
        assertThat(events).extracting(SseEvent::data).noneMatch(d -> d.contains("OPENROUTER"));
    }

    private static byte[] resource(String name) {
        try (var in = SseDecoderTest.class.getResourceAsStream("/streams/" + name)) {
            return java.util.Objects.requireNonNull(in, name).readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // --------------------------------------------------------------------------------------------
    // End of stream

    @Test
    void eventWithoutClosingBlankLineIsNotDispatchedAtEnd() {
        SseDecoder decoder = new SseDecoder(MAX);
        List<SseEvent> events = new ArrayList<>();

        decoder.feed(buffer("data: a\n\ndata: b\n"), events::add);
        decoder.end(events::add);

        assertThat(events).containsExactly(message("a", null));
        assertThat(decoder.midEvent()).isTrue();
    }

    @Test
    void midEventTellsWhetherAnEventIsUnderWay() {
        assertThat(midEventAfter("")).isFalse();
        assertThat(midEventAfter("data: a\n\n")).isFalse();
        assertThat(midEventAfter(": ping\n")).isFalse();
        assertThat(midEventAfter(": pi")).isFalse();
        assertThat(midEventAfter("id: 1\n\n")).isFalse();
        assertThat(midEventAfter("data: a\n")).isTrue();
        assertThat(midEventAfter("data: a\n: comment\n")).isTrue();
        assertThat(midEventAfter("event: ping\n")).isTrue();
        assertThat(midEventAfter("da")).isTrue();
        assertThat(midEventAfter("data: a\r")).isTrue();
    }

    @Test
    void feedAfterEndIsRejected() {
        SseDecoder decoder = new SseDecoder(MAX);
        decoder.end(event -> {});

        assertThatThrownBy(() -> decoder.feed(buffer("data: a\n\n"), event -> {}))
                .isInstanceOf(IllegalStateException.class);
    }

    // --------------------------------------------------------------------------------------------
    // Provider streams

    @Test
    void anthropicStyleStreamYieldsNamedEvents() {
        String stream = """
                event: message_start
                data: {"type":"message_start","message":{"id":"msg_01","role":"assistant","content":[]}}

                event: content_block_start
                data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

                event: ping
                data: {"type": "ping"}

                event: content_block_delta
                data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi \u20ac"}}

                event: content_block_stop
                data: {"type":"content_block_stop","index":0}

                event: message_delta
                data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":3}}

                event: message_stop
                data: {"type":"message_stop"}

                """;

        List<SseEvent> events = decode(stream);

        assertThat(events)
                .extracting(SseEvent::event)
                .containsExactly(
                        "message_start",
                        "content_block_start",
                        "ping",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop");
        assertThat(events.get(3).data())
                .isEqualTo("{\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \u20ac\"}}");
        assertThat(events).extracting(SseEvent::id).containsOnlyNulls();
    }

    @Test
    void openAiStyleStreamYieldsMessagesUpToDone() {
        String stream = ": OPENROUTER PROCESSING\n\n"
                + "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                + "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\u00e9\"}}]}\n\n"
                + "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"}]}\n\n"
                + "data: [DONE]\n\n";

        List<SseEvent> events = decode(stream);

        assertThat(events).hasSize(4).extracting(SseEvent::event).containsOnly("message");
        assertThat(events.get(1).data()).contains("\"content\":\"\u00e9\"");
        assertThat(events.get(3)).isEqualTo(message("[DONE]", null));
    }

    // --------------------------------------------------------------------------------------------
    // Chunking: the result never depends on where the stream is split

    @Test
    void realisticStreamDecodesWhole() {
        Outcome whole = run(BufferKind.HEAP, bytes(REALISTIC));

        assertThat(whole.events()).isEqualTo(REALISTIC_EVENTS);
        assertThat(whole.midEvent()).isTrue();
        assertThat(whole.retryMillis()).hasValue(2500);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void everySplitIntoTwoChunksGivesTheSameEvents(BufferKind kind) {
        byte[] stream = bytes(REALISTIC);
        Outcome expected = new Outcome(REALISTIC_EVENTS, true, OptionalLong.of(2500));

        for (int split = 0; split <= stream.length; split++) {
            Outcome outcome = run(
                    kind, Arrays.copyOfRange(stream, 0, split), Arrays.copyOfRange(stream, split, stream.length));

            assertThat(outcome).as("split at %d", split).isEqualTo(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void oneBytePerChunkGivesTheSameEvents(BufferKind kind) {
        byte[] stream = bytes(REALISTIC);
        byte[][] chunks = new byte[stream.length][];
        for (int i = 0; i < stream.length; i++) {
            chunks[i] = new byte[]{stream[i]};
        }

        assertThat(run(kind, chunks)).isEqualTo(new Outcome(REALISTIC_EVENTS, true, OptionalLong.of(2500)));
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void everySplitIntoThreeChunksGivesTheSameEvents(BufferKind kind) {
        byte[] stream = bytes("\uFEFFdata: \u00e9\u20ac\r\n\r\nevent: x\rid: \uD83D\uDE00\ndata: \uD83D\uDE00\n\n");
        Outcome expected = new Outcome(
                List.of(message("\u00e9\u20ac", null), new SseEvent("x", "\uD83D\uDE00", "\uD83D\uDE00")),
                false,
                OptionalLong.empty());

        for (int first = 0; first <= stream.length; first++) {
            for (int second = first; second <= stream.length; second++) {
                Outcome outcome = run(
                        kind,
                        Arrays.copyOfRange(stream, 0, first),
                        Arrays.copyOfRange(stream, first, second),
                        Arrays.copyOfRange(stream, second, stream.length));

                assertThat(outcome).as("split at %d and %d", first, second).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void longStreamInLargeChunksGivesTheSameEventsAsWhole(BufferKind kind) {
        StringBuilder stream = new StringBuilder();
        List<SseEvent> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String data = "{\"index\":" + i + ",\"text\":\"\u00e9\u20ac\uD83D\uDE00\"}";
            stream.append("event: delta\r\ndata: ").append(data).append(i % 2 == 0 ? "\r\n\r\n" : "\n\n");
            expected.add(new SseEvent("delta", data, null));
        }
        byte[] bytes = bytes(stream.toString());
        List<byte[]> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += 10_007) {
            chunks.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 10_007)));
        }

        assertThat(run(kind, chunks.toArray(byte[][]::new)).events()).isEqualTo(expected);
    }

    @Test
    void feedConsumesTheBufferFromItsPositionToItsLimit() {
        byte[] array = bytes("xxxxdata: a\n\nyyyy");
        ByteBuffer window = ByteBuffer.wrap(array, 4, array.length - 8);
        ByteBuffer slice = ByteBuffer.wrap(array).slice(4, array.length - 8);
        List<SseEvent> events = new ArrayList<>();

        new SseDecoder(MAX).feed(window, events::add);
        new SseDecoder(MAX).feed(slice, events::add);

        assertThat(events).containsExactly(message("a", null), message("a", null));
        assertThat(window.hasRemaining()).isFalse();
        assertThat(slice.hasRemaining()).isFalse();
    }

    // --------------------------------------------------------------------------------------------
    // Limits

    @Test
    void eventUpToTheLimitIsAccepted() {
        assertThat(feedAll(new SseDecoder(16), bytes("data: 0123456789\n\n")))
                .containsExactly(message("0123456789", null));
    }

    @Test
    void lineOverTheLimitIsRejected() {
        assertThatThrownBy(() -> feedAll(new SseDecoder(16), bytes("data: 0123456789a\n\n")))
                .isInstanceOf(SseDecoder.TooLargeException.class)
                .hasMessage("server-sent event larger than 16 bytes");
    }

    @Test
    void partialLineOverTheLimitIsRejectedBeforeItsEnd() {
        SseDecoder decoder = new SseDecoder(16);
        feedAll(decoder, bytes("data: 01234567"));

        assertThatThrownBy(() -> feedAll(decoder, bytes("89abc")))
                .isInstanceOf(SseDecoder.TooLargeException.class)
                .hasMessage("server-sent event larger than 16 bytes");
    }

    @Test
    void dataLinesOfOneEventCountTogether() {
        assertThatThrownBy(() -> feedAll(new SseDecoder(20), bytes("data: abc\ndata: def\ndata: ghi\n\n")))
                .isInstanceOf(SseDecoder.TooLargeException.class);
    }

    @Test
    void limitAppliesToEachEventSeparately() {
        String stream = "data: abc\n\n".repeat(100);

        assertThat(feedAll(new SseDecoder(20), bytes(stream))).hasSize(100);
    }

    @Test
    void limitMustBePositive() {
        assertThatThrownBy(() -> new SseDecoder(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEventBytes");
    }

    // --------------------------------------------------------------------------------------------

    enum BufferKind {
        HEAP(ByteBuffer::wrap),
        HEAP_WITH_OFFSET(bytes -> {
            byte[] larger = new byte[bytes.length + 6];
            System.arraycopy(bytes, 0, larger, 3, bytes.length);
            return ByteBuffer.wrap(larger).slice(3, bytes.length);
        }),
        READ_ONLY(bytes -> ByteBuffer.wrap(bytes).asReadOnlyBuffer()),
        DIRECT(bytes -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());

        private final Function<byte[], ByteBuffer> wrap;

        BufferKind(Function<byte[], ByteBuffer> wrap) {
            this.wrap = wrap;
        }
    }

    record Outcome(List<SseEvent> events, boolean midEvent, OptionalLong retryMillis) {}

    private static Outcome run(BufferKind kind, byte[]... chunks) {
        SseDecoder decoder = new SseDecoder(MAX);
        List<SseEvent> events = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ByteBuffer buffer = kind.wrap.apply(chunk);
            decoder.feed(buffer, events::add);
            assertThat(buffer.hasRemaining()).isFalse();
        }
        decoder.end(events::add);
        return new Outcome(events, decoder.midEvent(), decoder.retryMillis());
    }

    private static List<SseEvent> feedAll(SseDecoder decoder, byte[]... chunks) {
        List<SseEvent> events = new ArrayList<>();
        for (byte[] chunk : chunks) {
            decoder.feed(ByteBuffer.wrap(chunk), events::add);
        }
        return events;
    }

    private static List<SseEvent> decode(String stream) {
        SseDecoder decoder = new SseDecoder(MAX);
        List<SseEvent> events = feedAll(decoder, bytes(stream));
        decoder.end(events::add);
        return events;
    }

    private static boolean midEventAfter(String stream) {
        SseDecoder decoder = new SseDecoder(MAX);
        feedAll(decoder, bytes(stream));
        return decoder.midEvent();
    }

    private static SseEvent message(String data, @Nullable String id) {
        return new SseEvent("message", data, id);
    }

    private static ByteBuffer buffer(String text) {
        return ByteBuffer.wrap(bytes(text));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
