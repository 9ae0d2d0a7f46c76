package dev.agentrt.inference.internal.chat;

/**
 * How the next token is chosen: greedy when {@code temperature} is 0, otherwise sampled from the
 * {@code topK} most likely tokens (0: all) cut to the smallest set whose probability reaches
 * {@code topP}, then to the tokens at least {@code minP} times as likely as the most likely one
 * (transformers' warpers, in its order).
 */
public record SamplingSettings(double temperature, double topP, int topK, double minP) {
    /** Hugging Face transformers' default {@code top_k}. */
    public static final int DEFAULT_TOP_K = 50;
    public static final SamplingSettings GREEDY = new SamplingSettings(0, 1, DEFAULT_TOP_K);

    /** Without a {@code minP} cut. */
    public SamplingSettings(double temperature, double topP, int topK) {
        this(temperature, topP, topK, 0);
    }

    public SamplingSettings {
        if (!(temperature >= 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0, was " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1], was " + minP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0: no limit), was " + topK);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
