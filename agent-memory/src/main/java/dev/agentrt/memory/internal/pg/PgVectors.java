package dev.agentrt.memory.internal.pg;

import dev.agentrt.core.model.Embedding;

/**
 * Vectors in pgvector's text form, {@code [1,2.5,-3.0E-5]}, sent as text and cast with
 * {@code ::vector} so that the store needs no pgvector-java dependency.
 */
public final class PgVectors {
    private PgVectors() {}

    /**
     * Checks a vector before it goes to the server: the length must be {@code dimensions} (the
     * message names both) and every component finite (pgvector refuses NaN and infinities).
     */
    public static void check(Embedding embedding, int dimensions, String what) {
        if (embedding.dimensions() != dimensions) {
            throw new IllegalArgumentException(what + " has " + embedding.dimensions()
                    + " dimensions, but this store holds vectors of " + dimensions);
        }
        for (int i = 0; i < embedding.dimensions(); i++) {
            if (!Float.isFinite(embedding.get(i))) {
                throw new IllegalArgumentException(
                        what + " has a component that is not a finite number (" + embedding.get(i) + ") at " + i);
            }
        }
    }

    /** The text form of {@code embedding}. */
    public static String format(Embedding embedding) {
        var out = new StringBuilder(embedding.dimensions() * 10 + 2).append('[');
        for (int i = 0; i < embedding.dimensions(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(embedding.get(i));
        }
        return out.append(']').toString();
    }

    /** Parses the text form the server returns for {@code embedding::text}. */
    public static Embedding parse(String text) {
        String body = text.strip();
        if (body.length() < 2 || body.charAt(0) != '[' || body.charAt(body.length() - 1) != ']') {
            throw new IllegalArgumentException("not a pgvector value: " + abbreviate(body));
        }
        body = body.substring(1, body.length() - 1).strip();
        if (body.isEmpty()) {
            return Embedding.of(new float[0]);
        }
        String[] parts = body.split(",", -1);
        float[] vector = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            vector[i] = Float.parseFloat(parts[i].strip());
        }
        return Embedding.of(vector);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
