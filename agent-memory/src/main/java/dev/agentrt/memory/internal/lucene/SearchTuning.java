package dev.agentrt.memory.internal.lucene;

/**
 * Where a search switches between an exact scan and the HNSW graph (see {@link NearestNeighbours}). Internal: the
 * defaults come from {@code VectorIndexBenchmark}'s crossover runs; the benchmark sets other values to measure them.
 *
 * @param exactSegmentBudget the smallest segments, up to this many vectors in all, are scanned exactly
 * @param exactFilterLimit a filter that keeps at most this many entries of the index is answered by an exact scan of
 *     them
 * @param minCandidatesPerSegment the fewest candidates asked of each graph-searched segment (capped at the search's
 *     own candidate count)
 */
public record SearchTuning(int exactSegmentBudget, int exactFilterLimit, int minCandidatesPerSegment) {
    /**
     * At 200,000 and 1,000,000 x 384 on two cores an exact scan costs about 0.1-0.2 µs per vector with the vector
     * API; see benchmarks/README.md for the runs these come from.
     */
    public static final SearchTuning DEFAULTS = new SearchTuning(16_384, 20_000, 20);

    public SearchTuning {
        if (exactSegmentBudget < 0 || exactFilterLimit < 0 || minCandidatesPerSegment < 1) {
            throw new IllegalArgumentException("invalid search tuning: " + exactSegmentBudget + ", " + exactFilterLimit
                    + ", " + minCandidatesPerSegment);
        }
    }
}
