package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The Java byte-level decoder against the Hugging Face tokenizer's own decode, on the test model's tokenizer. */
class ByteLevelTextTest {
    static final Path TOKENIZER = Path.of("src/test/resources/models/tiny-qwen2/optimum-fp32/tokenizer.json");

    static HuggingFaceTokenizer reference;
    static Vocabulary vocabulary;
    static ByteLevelText text;

    @BeforeAll
    static void load() throws IOException {
        reference = HuggingFaceTokenizer.newInstance(TOKENIZER,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        vocabulary = Vocabulary.read(TOKENIZER, JsonValue.parse(Files.readString(TOKENIZER)).asObject());
        text = vocabulary.byteLevel();
        assertThat(text).as("the test tokenizer's decoder is byte-level").isNotNull();
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    static String streamed(long[] ids) {
        TokenText stream = text.stream();
        var out = new StringBuilder();
        for (long id : ids) {
            out.append(stream.accept(id));
        }
        return out.append(stream.flush()).toString();
    }

    @Test
    void randomIdsDecodeAsTheTokenizerDecodesThemSpecialAndUnknownIdsIncluded() {
        var random = new SplittableRandom(20261206);
        long size = vocabulary.size();
        for (int round = 0; round < 3000; round++) {
            var ids = new long[1 + random.nextInt(40)];
            for (int i = 0; i < ids.length; i++) {
                // Mostly real ids, some special tokens at the top of the range, some ids past it.
                ids[i] = random.nextInt(10) == 0
                        ? size - 1 - random.nextInt(10) + random.nextInt(13)
                        : random.nextLong(size);
            }
            assertThat(streamed(ids)).as("ids %s", Arrays.toString(ids)).isEqualTo(reference.decode(ids, true));
            assertThat(text.decode(ids)).isEqualTo(reference.decode(ids, true));
        }
    }

    /** The ids of the tokens that stand for one byte at or above 0x80: pieces of multi-byte characters. */
    static long[] highByteTokens() {
        var ids = new ArrayList<Long>();
        for (long id = 0; id < vocabulary.size(); id++) {
            String piece = reference.decode(new long[]{id}, true);
            byte[] bytes = text.decode(new long[]{id}).getBytes(StandardCharsets.ISO_8859_1);
            if (piece.equals("\uFFFD") && bytes.length == 1) {
                ids.add(id);
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void loneAndBrokenUtf8BytesAreReplacedExactlyAsTheTokenizerReplacesThem() {
        long[] high = highByteTokens();
        assertThat(high).as("a byte-level vocabulary has tokens for the bytes 0x80-0xFF").hasSizeGreaterThan(60);
        var random = new SplittableRandom(7);
        for (int round = 0; round < 3000; round++) {
            var ids = new long[1 + random.nextInt(12)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(4) == 0
                        ? random.nextLong(vocabulary.size())
                        : high[random.nextInt(high.length)];
            }
            assertThat(streamed(ids)).as("ids %s", Arrays.toString(ids)).isEqualTo(reference.decode(ids, true));
        }
    }

    @Test
    void eachCharacterIsEmittedByTheTokenThatCompletesItAndNeverSplit() throws IOException {
        String sample = "naïve café — 😀 über 中文 <tool_call>{\"a\": 1}</tool_call>\n\tend";
        long[] ids = reference.encode(sample, false, false).getIds();
        // Also byte by byte, through the single-byte tokens, so that every character arrives in pieces.
        List<long[]> inputs = List.of(ids, byteTokens(sample));
        for (long[] input : inputs) {
            TokenText stream = text.stream();
            var out = new StringBuilder();
            for (int i = 0; i < input.length; i++) {
                String delta = stream.accept(input[i]);
                assertThat(delta).doesNotContain("\uFFFD");
                out.append(delta);
                String whole = reference.decode(Arrays.copyOf(input, i + 1), true);
                int end = whole.length();
                while (end > 0 && whole.charAt(end - 1) == '\uFFFD') {
                    end--;
                }
                assertThat(out.toString()).as("after %d tokens", i + 1).isEqualTo(whole.substring(0, end));
            }
            assertThat(stream.flush()).isEmpty();
            assertThat(out.toString()).isEqualTo(sample);
        }
    }

    /**
     * One token per UTF-8 byte of {@code s}: the vocabulary's single-character tokens, read through
     * GPT-2's byte-to-character table (bytes 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF are their own
     * character; the rest are U+0100 onwards in byte order).
     */
    static long[] byteTokens(String s) throws IOException {
        var charOfByte = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean own = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            charOfByte[b] = own ? (char) b : (char) (0x100 + next++);
        }
        JsonObject vocab = JsonValue.parse(Files.readString(TOKENIZER))
                .asObject()
                .getObject("model")
                .orElseThrow()
                .getObject("vocab")
                .orElseThrow();
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        long[] out = new long[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = vocab.getLong(String.valueOf(charOfByte[utf8[i] & 0xFF])).orElseThrow();
        }
        return out;
    }

    @Test
    void theStartOfACharacterIsHeldOnlyWhileLaterBytesCanStillCompleteIt() {
        assertThat(ByteLevelText.completeUpTo(bytes(0x61, 0xE2, 0x82), 3)).isEqualTo(1);
        assertThat(ByteLevelText.completeUpTo(bytes(0xF0, 0x9F, 0x98), 3)).isZero();
        assertThat(ByteLevelText.completeUpTo(bytes(0xE2, 0x82, 0xAC), 3)).isEqualTo(3);
        // Second bytes that no later byte can make valid: overlong, surrogate, past U+10FFFF, bad lead.
        assertThat(ByteLevelText.completeUpTo(bytes(0xE0, 0x80), 2)).isEqualTo(2);
        assertThat(ByteLevelText.completeUpTo(bytes(0xED, 0xA0), 2)).isEqualTo(2);
        assertThat(ByteLevelText.completeUpTo(bytes(0xF4, 0x90), 2)).isEqualTo(2);
        assertThat(ByteLevelText.completeUpTo(bytes(0xC0), 1)).isEqualTo(1);
        assertThat(ByteLevelText.completeUpTo(bytes(0xF5), 1)).isEqualTo(1);
        assertThat(ByteLevelText.completeUpTo(bytes(0xE2, 0x41), 2)).isEqualTo(2);
        assertThat(ByteLevelText.completeUpTo(bytes(0x80, 0x80, 0x80, 0x80), 4)).isEqualTo(4);
    }

    static byte[] bytes(int... values) {
        var b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void otherDecodersAreLeftToTheTokenizer() {
        JsonObject sentencePiece = JsonValue.parse("""
                {"model":{"type":"BPE","vocab":{"a":0,"\u2581b":1}},
                 "decoder":{"type":"Sequence","decoders":[{"type":"Replace"},{"type":"ByteFallback"},{"type":"Fuse"}]},
                 "added_tokens":[]}""").asObject();
        assertThat(ByteLevelText.of(sentencePiece, 2)).isNull();
        JsonObject none = JsonValue.parse("{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0}},\"added_tokens\":[]}")
                .asObject();
        assertThat(ByteLevelText.of(none, 1)).isNull();
    }
}
