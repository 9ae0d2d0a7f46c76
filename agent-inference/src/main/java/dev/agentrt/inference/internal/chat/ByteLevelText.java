package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Token ids to text for tokenizers whose decoder is byte-level BPE's (GPT-2, Llama 3, Qwen2,
 * SmolLM), in Java: each token stands for bytes, and the text is the UTF-8 reading of all the
 * bytes, invalid sequences replaced. This is what the Hugging Face tokenizer's
 * {@code decode(ids, skip_special_tokens=true)} does, without two native calls per generated
 * token: a special token or an id the tokenizer does not know decodes to nothing; a token whose
 * characters are all in the byte-level alphabet stands for the bytes they map to, any other (an
 * added token such as {@code <tool_call>} with characters outside it) for its own UTF-8.
 * Immutable and thread-safe; each {@link #stream()} is confined to one reply.
 */
public final class ByteLevelText {
    /** The bytes of each id, or null for an id that decodes to nothing. */
    private final byte[] @Nullable [] bytes;

    private ByteLevelText(byte[] @Nullable [] bytes) {
        this.bytes = bytes;
    }

    /**
     * The decoder of {@code tokenizer} (a parsed {@code tokenizer.json}) when it is exactly the
     * byte-level one; null for any other (SentencePiece's replace-and-fuse chains, WordPiece...),
     * which are decoded by the tokenizer itself.
     */
    static @Nullable ByteLevelText of(JsonObject tokenizer, long size) {
        if (!(tokenizer.get("decoder") instanceof JsonObject decoder)
                || !decoder.getString("type").orElse("").equals("ByteLevel")
                || !(tokenizer.getObject("model").map(m -> m.get("vocab")).orElse(null) instanceof JsonObject vocab)
                || size > Integer.MAX_VALUE - 8) {
            return null;
        }
        int[] table = charToByte();
        var bytes = new byte[(int) size][];
        for (var e : vocab.members().entrySet()) {
            if (e.getValue() instanceof JsonValue.JsonNumber n && n.isIntegral() && n.longValue() >= 0
                    && n.longValue() < size) {
                bytes[(int) n.longValue()] = tokenBytes(e.getKey(), table);
            }
        }
        for (JsonValue added : tokenizer.getArray("added_tokens").orElse(JsonArray.EMPTY).items()) {
            if (added instanceof JsonObject token) {
                long id = token.getLong("id").orElse(-1L);
                String content = token.getString("content").orElse(null);
                if (id >= 0 && id < size && content != null) {
                    boolean special = token.getBoolean("special").orElse(false);
                    bytes[(int) id] = special ? null : tokenBytes(content, table);
                }
            }
        }
        return new ByteLevelText(bytes);
    }

    /** The text of {@code ids}, as the tokenizer decodes them. */
    public String decode(long[] ids) {
        TokenText s = stream();
        var out = new StringBuilder();
        for (long id : ids) {
            out.append(s.accept(id));
        }
        return out.append(s.flush()).toString();
    }

    /** A reader of one reply's ids. */
    public TokenText stream() {
        return new Stream();
    }

    private final class Stream implements TokenText {
        /** Bytes of a character not yet complete: at most three. */
        private byte[] pending = new byte[16];
        private int length;

        @Override
        public String accept(long id) {
            byte[] b = id >= 0 && id < bytes.length ? bytes[(int) id] : null;
            if (b == null || b.length == 0) {
                return "";
            }
            if (length + b.length > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + b.length));
            }
            System.arraycopy(b, 0, pending, length, b.length);
            length += b.length;
            int complete = completeUpTo(pending, length);
            if (complete == 0) {
                return "";
            }
            String text = utf8(pending, 0, complete);
            System.arraycopy(pending, complete, pending, 0, length - complete);
            length -= complete;
            return text;
        }

        @Override
        public String flush() {
            String text = utf8(pending, 0, length);
            length = 0;
            return text;
        }
    }

    /**
     * How many of the first {@code n} bytes can be read now: all of them, unless they end in the
     * start of a UTF-8 sequence that later bytes may complete. Bytes before such a start read the
     * same whatever follows, since it begins a sequence of its own.
     */
    static int completeUpTo(byte[] b, int n) {
        for (int i = n - 1; i >= Math.max(0, n - 3); i--) {
            int c = b[i] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // a continuation byte: look further back for its lead
            }
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (need == 1 || c == 0xC0 || c == 0xC1 || c > 0xF4 || n - i >= need) {
                return n; // ASCII, an invalid lead, or a whole sequence
            }
            for (int j = i + 1; j < n; j++) {
                int d = b[j] & 0xFF;
                int lo = 0x80;
                int hi = 0xBF;
                if (j == i + 1) {
                    // The second byte's narrower ranges: no overlong forms, surrogates or values past U+10FFFF.
                    switch (c) {
                        case 0xE0 -> lo = 0xA0;
                        case 0xED -> hi = 0x9F;
                        case 0xF0 -> lo = 0x90;
                        case 0xF4 -> hi = 0x8F;
                        default -> {
                            // the full range
                        }
                    }
                }
                if (d < lo || d > hi) {
                    return n; // already invalid: nothing later can complete it
                }
            }
            return i;
        }
        return n;
    }

    /**
     * UTF-8 read as the tokenizer reads it (Rust's {@code from_utf8_lossy}): each maximal part of an
     * invalid sequence becomes one U+FFFD. The JDK's decoder differs on encoded surrogates
     * ({@code ED A0 80} is one replacement there, three here), so it is not used.
     */
    static String utf8(byte[] b, int from, int to) {
        var out = new StringBuilder(to - from);
        int i = from;
        while (i < to) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                out.append((char) c);
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) {
                    lo = 0xA0;
                } else if (c == 0xED) {
                    hi = 0x9F;
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                out.append('\uFFFD'); // a continuation byte without a lead, or a byte never in UTF-8
                i++;
                continue;
            }
            int cp = c & (0x3F >> need);
            int j = i + 1;
            boolean whole = true;
            for (int k = 0; k < need; k++, j++) {
                int d = j < to ? b[j] & 0xFF : -1;
                if (d < lo || d > hi) {
                    whole = false;
                    break;
                }
                cp = (cp << 6) | (d & 0x3F);
                lo = 0x80;
                hi = 0xBF;
            }
            if (whole) {
                out.appendCodePoint(cp);
            } else {
                out.append('\uFFFD'); // the valid start of a sequence that breaks off: one replacement
            }
            i = j;
        }
        return out.toString();
    }

    private static byte[] tokenBytes(String token, int[] table) {
        var out = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < table.length ? table[c] : -1;
            if (b < 0) {
                // A character outside the alphabet: the token stands for its own text.
                return token.getBytes(StandardCharsets.UTF_8);
            }
            out[n++] = (byte) b;
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * GPT-2's byte-level alphabet, reversed: printable Latin-1 bytes are their own character, the
     * other 68 bytes are U+0100 onwards in order. -1 for a character that stands for no byte.
     */
    private static int[] charToByte() {
        var table = new int[256 + 68];
        Arrays.fill(table, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                table[b] = b;
            } else {
                table[256 + next++] = b;
            }
        }
        return table;
    }
}
