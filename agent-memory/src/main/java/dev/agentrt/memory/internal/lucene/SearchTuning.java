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
     * Measured with {@code VectorIndexUnderWrites} at 200,000 x 384 (benchmarks/README.md, section 7c): an exact scan
     * costs about 0.4 µs of CPU a vector (it streams them from memory), so 4,096 vectors of small segments cost under
     * 2 ms; a filter's exact scan took 2.4 ms at 6,667 matches where the filtered graph search took 6.5 ms, and
     * 8.5 ms at 20,000 where the graph took 2.8 ms; 20 candidates per graph-searched segment kept recall@10 at 0.99.
     */
    public static final SearchTuning DEFAULTS = new SearchTuning(4_096, 10_000, 20);

    public SearchTuning {
        if (exactSegmentBudget < 0 || exactFilterLimit < 0 || minCandidatesPerSegment < 1) {
            throw new IllegalArgumentException("invalid search tuning: " + exactSegmentBudget + ", " + exactFilterLimit
                    + ", " + minCandidatesPerSegment);
        }
    }
}
