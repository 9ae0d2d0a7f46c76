package dev.agentrt.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

class LineDecoderTest {
    private static final int MAX = 1 << 16;

    private static final String NDJSON = "{\"message\":{\"content\":\"caf\u00e9\"},\"done\":false}\n"
            + "\n"
            + "{\"message\":{\"content\":\"5 \u20ac\"},\"done\":false}\r\n"
            + "  \t\r\n"
            + "{\"message\":{\"content\":\"\uD83D\uDE00\"},\"done\":false}\n"
            + "\r\n"
            + "{\"done\":true,\"text\":\"\u00e9\u20ac\uD83D\uDE00\"}";

    private static final List<String> NDJSON_LINES = List.of(
            "{\"message\":{\"content\":\"caf\u00e9\"},\"done\":false}",
            "{\"message\":{\"content\":\"5 \u20ac\"},\"done\":false}",
            "{\"message\":{\"content\":\"\uD83D\uDE00\"},\"done\":false}",
            "{\"done\":true,\"text\":\"\u00e9\u20ac\uD83D\uDE00\"}");

    @Test
    void linesAreSplitOnLineFeed() {
        assertThat(decode("a\nb\nc\n")).containsExactly("a", "b", "c");
    }

    @Test
    void carriageReturnBeforeLineFeedIsRemoved() {
        assertThat(decode("a\r\nb\r\n")).containsExactly("a", "b");
    }

    @Test
    void carriageReturnElsewhereIsKept() {
        assertThat(decode("a\rb\n")).containsExactly("a\rb");
    }

    @Test
    void blankLinesAreSkipped() {
        assertThat(decode("\na\n\n  \n\t\r\n\r\nb\n")).containsExactly("a", "b");
    }

    @Test
    void surroundingWhitespaceOfALineIsKept() {
        assertThat(decode("  {\"a\":1} \n")).containsExactly("  {\"a\":1} ");
    }

    @Test
    void endEmitsALastLineWithoutLineFeed() {
        LineDecoder decoder = new LineDecoder(MAX);
        List<String> lines = new ArrayList<>();

        decoder.feed(buffer("a\nb"), lines::add);
        assertThat(lines).containsExactly("a");
        assertThat(decoder.hasPartial()).isTrue();

        decoder.end(lines::add);
        assertThat(lines).containsExactly("a", "b");
        assertThat(decoder.hasPartial()).isFalse();
    }

    @Test
    void endSkipsABlankLastLine() {
        assertThat(decode("a\n  \r")).containsExactly("a");
    }

    @Test
    void endRemovesATrailingCarriageReturn() {
        assertThat(decode("a\nb\r")).containsExactly("a", "b");
    }

    @Test
    void hasPartialIsFalseAfterACompleteLine() {
        LineDecoder decoder = new LineDecoder(MAX);

        decoder.feed(buffer("a\n"), line -> {});

        assertThat(decoder.hasPartial()).isFalse();
    }

    @Test
    void malformedUtf8BecomesReplacementCharacter() {
        LineDecoder decoder = new LineDecoder(MAX);
        List<String> lines = new ArrayList<>();

        decoder.feed(ByteBuffer.wrap(new byte[]{'a', (byte) 0xFF, 'b', '\n'}), lines::add);

        assertThat(lines).containsExactly("a\uFFFDb");
    }

    @Test
    void ndjsonDecodesWhole() {
        assertThat(run(BufferKind.HEAP, bytes(NDJSON))).isEqualTo(NDJSON_LINES);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void everySplitIntoTwoChunksGivesTheSameLines(BufferKind kind) {
        byte[] stream = bytes(NDJSON);

        for (int split = 0; split <= stream.length; split++) {
            List<String> lines = run(
                    kind, Arrays.copyOfRange(stream, 0, split), Arrays.copyOfRange(stream, split, stream.length));

            assertThat(lines).as("split at %d", split).isEqualTo(NDJSON_LINES);
        }
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void oneBytePerChunkGivesTheSameLines(BufferKind kind) {
        byte[] stream = bytes(NDJSON);
        byte[][] chunks = new byte[stream.length][];
        for (int i = 0; i < stream.length; i++) {
            chunks[i] = new byte[]{stream[i]};
        }

        assertThat(run(kind, chunks)).isEqualTo(NDJSON_LINES);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void longStreamInLargeChunksGivesTheSameLinesAsWhole(BufferKind kind) {
        StringBuilder stream = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            String line = "{\"index\":" + i + ",\"text\":\"\u00e9\u20ac\uD83D\uDE00\"}";
            stream.append(line).append(i % 2 == 0 ? "\r\n" : "\n");
            expected.add(line);
        }
        byte[] bytes = bytes(stream.toString());
        List<byte[]> chunks = new ArrayList<>();
        for (int from = 0; from < bytes.length; from += 10_007) {
            chunks.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 10_007)));
        }

        assertThat(run(kind, chunks.toArray(byte[][]::new))).isEqualTo(expected);
    }

    @Test
    void lineUpToTheLimitIsAccepted() {
        assertThat(decode(new LineDecoder(8), "12345678\n1234567\r\n")).containsExactly("12345678", "1234567");
    }

    @Test
    void lineOverTheLimitIsRejected() {
        assertThatThrownBy(() -> decode(new LineDecoder(8), "123456789\n"))
                .isInstanceOf(LineDecoder.TooLargeException.class)
                .hasMessage("line longer than 8 bytes");
    }

    @Test
    void partialLineOverTheLimitIsRejectedBeforeItsEnd() {
        LineDecoder decoder = new LineDecoder(8);
        decoder.feed(buffer("123456"), line -> {});

        assertThatThrownBy(() -> decoder.feed(buffer("789"), line -> {}))
                .isInstanceOf(LineDecoder.TooLargeException.class)
                .hasMessage("line longer than 8 bytes");
    }

    @Test
    void limitMustBePositive() {
        assertThatThrownBy(() -> new LineDecoder(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLineBytes");
    }

    // --------------------------------------------------------------------------------------------
    // The event-stream framing (under SseDecoder)

    private static final String EVENT_STREAM = "\uFEFFdata: caf\u00e9\r\n\r\n: c\rdata: 5 \u20ac\n\ndata: \uD83D\uDE00\r\rlast";

    private static final List<String> EVENT_STREAM_LINES = List.of(
            "data: caf\u00e9", "", ": c", "data: 5 \u20ac", "", "data: \uD83D\uDE00", "");

    @Test
    void eventStreamLinesEndWithCrLfLfOrCrAndBlankLinesAreKept() {
        assertThat(lines(LineDecoder.eventStream(MAX), bytes("a\r\nb\nc\rd\r\r\n\n"))).containsExactly("a", "b", "c",
                "d", "",
                "");
    }

    @Test
    void eventStreamSkipsAByteOrderMarkAtTheStartOnly() {
        assertThat(lines(LineDecoder.eventStream(MAX), bytes("\uFEFFa\n\uFEFFb\n"))).containsExactly("a", "\uFEFFb");
        assertThat(lines(new LineDecoder(MAX), bytes("\uFEFFa\n"))).containsExactly("\uFEFFa");
    }

    @Test
    void eventStreamGivesTheSameLinesWhereverItIsCut() {
        byte[] stream = bytes(EVENT_STREAM);
        for (int first = 0; first <= stream.length; first++) {
            for (int second = first; second <= stream.length; second++) {
                assertThat(lines(LineDecoder.eventStream(MAX), Arrays.copyOfRange(stream, 0, first),
                        Arrays.copyOfRange(stream, first, second), Arrays.copyOfRange(stream, second, stream.length)))
                        .as("cut at %d and %d", first, second)
                        .isEqualTo(EVENT_STREAM_LINES);
            }
        }
    }

    @Test
    void aLastLineWithoutItsEndStaysBufferedInTheEventStream() {
        LineDecoder decoder = LineDecoder.eventStream(MAX);
        lines(decoder, bytes("data: a\nda"));

        assertThat(decoder.hasPartial()).isTrue();
        assertThat(decoder.partialStartsWith((byte) 'd')).isTrue();
        assertThat(decoder.partialStartsWith((byte) ':')).isFalse();
    }

    @Test
    void aLoweredLimitHoldsTheLinesStillToCome() {
        LineDecoder decoder = LineDecoder.eventStream(16);
        lines(decoder, bytes("0123456789\n"));
        decoder.limit(4);

        assertThat(decoder.limit()).isEqualTo(4);
        assertThatThrownBy(() -> lines(decoder, bytes("01234\n")))
                .isInstanceOf(LineDecoder.TooLargeException.class)
                .hasMessage("line longer than 4 bytes");
        decoder.limit(1_000);
        assertThat(decoder.limit()).as("never above the limit given at construction").isEqualTo(16);
    }

    private static List<String> lines(LineDecoder decoder, byte[]... chunks) {
        List<String> lines = new ArrayList<>();
        for (byte[] chunk : chunks) {
            decoder.feed(ByteBuffer.wrap(chunk),
                    (LineDecoder.LineSink) (b, offset, length) -> lines
                            .add(new String(b, offset, length, StandardCharsets.UTF_8)));
        }
        return lines;
    }

    // --------------------------------------------------------------------------------------------

    enum BufferKind {
        HEAP(ByteBuffer::wrap),
        HEAP_WITH_OFFSET(bytes -> {
            byte[] larger = new byte[bytes.length + 6];
            System.arraycopy(bytes, 0, larger, 3, bytes.length);
            return ByteBuffer.wrap(larger).slice(3, bytes.length);
        }),
        DIRECT(bytes -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip());

        private final Function<byte[], ByteBuffer> wrap;

        BufferKind(Function<byte[], ByteBuffer> wrap) {
            this.wrap = wrap;
        }
    }

    private static List<String> run(BufferKind kind, byte[]... chunks) {
        LineDecoder decoder = new LineDecoder(MAX);
        List<String> lines = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ByteBuffer buffer = kind.wrap.apply(chunk);
            decoder.feed(buffer, lines::add);
            assertThat(buffer.hasRemaining()).isFalse();
        }
        decoder.end(lines::add);
        return lines;
    }

    private static List<String> decode(String stream) {
        return decode(new LineDecoder(MAX), stream);
    }

    private static List<String> decode(LineDecoder decoder, String stream) {
        List<String> lines = new ArrayList<>();
        decoder.feed(buffer(stream), lines::add);
        decoder.end(lines::add);
        return lines;
    }

    private static ByteBuffer buffer(String text) {
        return ByteBuffer.wrap(bytes(text));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
