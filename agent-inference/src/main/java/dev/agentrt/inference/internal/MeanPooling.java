package dev.agentrt.inference.internal;

/** Mean pooling over the tokens the attention mask keeps, then L2 normalisation. */
public final class MeanPooling {
    private MeanPooling() {}

    /**
     * Pools {@code hidden}, a row-major {@code [batch, sequence, dimensions]} tensor, into one
     * unit-length vector per row of the batch.
     */
    public static float[][] pool(float[] hidden, long[][] attentionMask, int sequence, int dimensions) {
        int batch = attentionMask.length;
        float[][] out = new float[batch][dimensions];
        for (int b = 0; b < batch; b++) {
            double[] sum = new double[dimensions];
            long kept = 0;
            for (int s = 0; s < sequence; s++) {
                if (attentionMask[b][s] == 0) {
                    continue;
                }
                kept++;
                int base = (b * sequence + s) * dimensions;
                for (int d = 0; d < dimensions; d++) {
                    sum[d] += hidden[base + d];
                }
            }
            double norm = 0;
            for (int d = 0; d < dimensions; d++) {
                sum[d] /= Math.max(kept, 1);
                norm += sum[d] * sum[d];
            }
            // sentence-transformers clamps the norm at 1e-12 the same way.
            double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < dimensions; d++) {
                out[b][d] = (float) (sum[d] * scale);
            }
        }
        return out;
    }
}
