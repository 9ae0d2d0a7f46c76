package dev.agentrt.core.model;

import java.util.Arrays;

/** A dense vector for one text. The array is copied in and out: an embedding never changes. */
public final class Embedding {
    private final float[] vector;

    private Embedding(float[] vector) {
        this.vector = vector;
    }

    public static Embedding of(float[] vector) {
        return new Embedding(vector.clone());
    }

    public float[] vector() {
        return vector.clone();
    }

    public int dimensions() {
        return vector.length;
    }

    public float get(int i) {
        return vector[i];
    }

    /** Cosine similarity with {@code other}, in [-1, 1]. */
    public double cosine(Embedding other) {
        if (other.vector.length != vector.length) {
            throw new IllegalArgumentException(
                    "dimension mismatch: " + vector.length + " vs " + other.vector.length);
        }
        double dot = 0, a = 0, b = 0;
        for (int i = 0; i < vector.length; i++) {
            dot += vector[i] * other.vector[i];
            a += vector[i] * vector[i];
            b += other.vector[i] * other.vector[i];
        }
        return a == 0 || b == 0 ? 0 : dot / Math.sqrt(a * b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding e && Arrays.equals(vector, e.vector);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "Embedding[" + vector.length + " dimensions]";
    }
}
