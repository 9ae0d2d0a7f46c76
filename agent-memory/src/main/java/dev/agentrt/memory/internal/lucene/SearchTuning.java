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
     * Measured with {@code VectorIndexUnderWrites} (benchmarks/README.md): an exact scan costs about 0.3 µs a vector
     * at 384 dimensions (it streams the vectors from memory), so 4,096 vectors of small segments cost about a
     * millisecond; a filter's exact scan beat the filtered graph search up to about 7,000 matches at 200,000 entries
     * and lost from 20,000; 20 candidates per segment kept recall@10 at 0.997.
     */
    public static final SearchTuning DEFAULTS = new SearchTuning(4_096, 10_000, 20);

    public SearchTuning {
        if (exactSegmentBudget < 0 || exactFilterLimit < 0 || minCandidatesPerSegment < 1) {
            throw new IllegalArgumentException("invalid search tuning: " + exactSegmentBudget + ", " + exactFilterLimit
                    + ", " + minCandidatesPerSegment);
        }
    }
}
