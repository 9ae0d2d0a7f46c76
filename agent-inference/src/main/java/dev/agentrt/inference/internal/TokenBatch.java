package dev.agentrt.inference.internal;

/**
 * A batch of tokenised texts padded to one length: {@code ids}, {@code typeIds} and
 * {@code attentionMask} are each {@code [batch][sequence]}, with padding masked out.
 */
public record TokenBatch(long[][] ids, long[][] typeIds, long[][] attentionMask, int sequence) {

    /** Pads {@code ids}/{@code typeIds} (one array per text) to the longest, with a zero mask. */
    public static TokenBatch pad(long[][] ids, long[][] typeIds) {
        int sequence = 0;
        for (long[] row : ids) {
            sequence = Math.max(sequence, row.length);
        }
        int batch = ids.length;
        long[][] paddedIds = new long[batch][sequence];
        long[][] paddedTypes = new long[batch][sequence];
        long[][] mask = new long[batch][sequence];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(ids[b], 0, paddedIds[b], 0, ids[b].length);
            System.arraycopy(typeIds[b], 0, paddedTypes[b], 0, typeIds[b].length);
            java.util.Arrays.fill(mask[b], 0, ids[b].length, 1L);
        }
        return new TokenBatch(paddedIds, paddedTypes, mask, sequence);
    }

    public int size() {
        return ids.length;
    }
}
