package dev.agentrt.tools.internal.fs;

import org.jspecify.annotations.Nullable;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 text handling shared by the tools: binary detection, strict decoding, bounded reads. */
final class Text {
    /** How much of a file is looked at to decide whether it is text. */
    static final int SAMPLE_BYTES = 8 * 1024;

    private Text() {}

    static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /**
     * Whether {@code sample} (the start of a file, or all of it when {@code whole}) looks binary: it
     * holds a NUL byte or is not valid UTF-8. A multi-byte character cut at the sample's end is fine.
     */
    static boolean looksBinary(byte[] sample, boolean whole) {
        for (byte b : sample) {
            if (b == 0) {
                return true;
            }
        }
        CharsetDecoder decoder = strictDecoder();
        CharBuffer out = CharBuffer.allocate(sample.length + 1);
        CoderResult r = decoder.decode(ByteBuffer.wrap(sample), out, whole);
        if (r.isError()) {
            return true;
        }
        return whole && decoder.flush(out).isError();
    }

    /** The whole content of a file as strict UTF-8, or {@code null} if it is binary. */
    static @Nullable String decodeOrNull(byte[] bytes) {
        if (looksBinary(bytes.length > SAMPLE_BYTES ? java.util.Arrays.copyOf(bytes, SAMPLE_BYTES) : bytes,
                bytes.length <= SAMPLE_BYTES)) {
            return null;
        }
        try {
            return strictDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Reads all of {@code in}, failing with {@code tooLarge} past {@code maxBytes}. */
    static byte[] readAll(SeekableByteChannel in, long maxBytes, String shown) throws IOException {
        int cap = (int) Math.min(maxBytes, Integer.MAX_VALUE - 16);
        byte[] bytes = Channels.newInputStream(in).readNBytes(cap + 1);
        if (bytes.length > cap) {
            throw FsException.invalid(shown + " is larger than the limit of " + maxBytes + " bytes");
        }
        return bytes;
    }

    /**
     * The start of {@code in} (up to {@link #SAMPLE_BYTES}) and a stream of the whole content that
     * replays it, so a file is sniffed and then read in one pass.
     */
    record Sniffed(byte[] sample, boolean whole, InputStream content) {}

    static Sniffed sniff(SeekableByteChannel in) throws IOException {
        InputStream raw = Channels.newInputStream(in);
        byte[] sample = raw.readNBytes(SAMPLE_BYTES);
        boolean whole = sample.length < SAMPLE_BYTES;
        InputStream content = whole
                ? new ByteArrayInputStream(sample)
                : new SequenceInputStream(new ByteArrayInputStream(sample), raw);
        return new Sniffed(sample, whole, content);
    }

    /** {@code s} cut to {@code max} characters, with a note when cut. */
    static String clipLine(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + " […line cut: " + (s.length() - max) + " more characters]";
    }
}
