package dev.agentrt.inference.internal.chat;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Chooses the next token from a row of logits: the arg-max (first on ties) when greedy, otherwise a
 * draw from the temperature-scaled softmax over the top-k tokens cut to the top-p nucleus.
 */
public final class Sampler {
    private final SamplingSettings settings;
    private final RandomGenerator random;

    public Sampler(SamplingSettings settings, RandomGenerator random) {
        this.settings = settings;
        this.random = random;
    }

    public int next(float[] logits) {
        if (settings.greedy()) {
            return argMax(logits);
        }
        int[] candidates = candidates(logits);
        int n = candidates.length;
        double max = logits[candidates[0]];
        double[] weights = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = Math.exp((logits[candidates[i]] - max) / settings.temperature());
            sum += weights[i];
        }
        if (settings.topP() < 1) {
            double kept = 0;
            int keep = 0;
            while (keep < n && kept < settings.topP() * sum) {
                kept += weights[keep++];
            }
            n = Math.max(keep, 1);
            sum = kept;
        }
        if (settings.minP() > 0) {
            // weights[0] is the most likely token's (exp(0) = 1): keep those at least minP of it.
            int keep = 1;
            double kept = weights[0];
            while (keep < n && weights[keep] >= settings.minP() * weights[0]) {
                kept += weights[keep++];
            }
            n = keep;
            sum = kept;
        }
        double draw = random.nextDouble() * sum;
        for (int i = 0; i < n; i++) {
            draw -= weights[i];
            if (draw < 0) {
                return candidates[i];
            }
        }
        return candidates[n - 1];
    }

    static int argMax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Token ids by falling logit (ties by id), at most topK of them. */
    private int[] candidates(float[] logits) {
        int k = settings.topK() == 0 ? logits.length : Math.min(settings.topK(), logits.length);
        if (k == logits.length) {
            Integer[] all = new Integer[logits.length];
            Arrays.setAll(all, i -> i);
            Arrays.sort(all, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : a - b);
            return Arrays.stream(all).mapToInt(Integer::intValue).toArray();
        }
        // Insertion into a sorted array of k: O(V k) worst case, O(V) for the usual small k.
        int[] top = new int[k];
        int size = 0;
        for (int id = 0; id < logits.length; id++) {
            float value = logits[id];
            if (size == k && value <= logits[top[k - 1]]) {
                continue;
            }
            int at = size < k ? size++ : k - 1;
            while (at > 0 && logits[top[at - 1]] < value) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = id;
        }
        return size == k ? top : Arrays.copyOf(top, size);
    }
}
