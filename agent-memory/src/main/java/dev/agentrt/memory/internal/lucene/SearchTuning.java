package dev.agentrt.memory.internal.lucene;

/**
 * Where a search switches between an exact scan and the HNSW graph (see {@link NearestNeighbours}). Internal: the
 * defaults come from {@code VectorIndexBenchmark}'s crossover runs; the benchmark sets other values to measure them.
 *
 * @param exactSegmentBudget the smallest segments, up to this many vectors in all, are scanned exactly
 * @param exactFilterLimit a filter that keeps at most this many entries of the index is answered by an exact scan of
 *     them, whatever the index's size
 * @param exactFilterShare a filter that keeps at most this share of the index's entries is answered by an exact scan
 *     too: the crossover grows with the index, since the graph's cost grows more slowly than the scan's
 * @param minCandidatesPerSegment the fewest candidates asked of each graph-searched segment (capped at the search's
 *     own candidate count)
 */
public record SearchTuning(int exactSegmentBudget, int exactFilterLimit, double exactFilterShare,
        int minCandidatesPerSegment) {
    /**
     * Measured with {@code VectorIndexUnderWrites} at 200,000 x 384 (benchmarks/README.md, section 7c): an exact scan
     * costs about 0.4 µs of CPU a vector (it streams them from memory), so 4,096 vectors of small segments cost under
     * 2 ms; a filter's exact scan took 2.4 ms at 6,667 matches where the filtered graph search took 6.5 ms, and
     * 8.5 ms at 20,000 where the graph took 2.8 ms; 20 candidates per graph-searched segment kept recall@10 at 0.99.
     * At 1,000,000 x 384 the crossover was between 33,334 matches (3.3 %: exact 15.5 ms, graph 17.8 ms of CPU) and
     * 100,000 (10 %: exact 42.5 ms, graph 11.4 ms): at both sizes it lies between 3.3 % and 10 % of the index, so a
     * filter keeping at most 5 % of the entries (and always one keeping at most 10,000) is scanned exactly.
     */
    public static final SearchTuning DEFAULTS = new SearchTuning(4_096, 10_000, 0.05, 20);

    public SearchTuning {
        if (exactSegmentBudget < 0 || exactFilterLimit < 0 || !(exactFilterShare >= 0 && exactFilterShare <= 1)
                || minCandidatesPerSegment < 1) {
            throw new IllegalArgumentException("invalid search tuning: " + exactSegmentBudget + ", " + exactFilterLimit
                    + ", " + exactFilterShare + ", " + minCandidatesPerSegment);
        }
    }

    /** The most matches a filter may have to be answered by an exact scan, in an index of {@code entries}. */
    public long exactFilterMatches(long entries) {
        return Math.max(exactFilterLimit, (long) (exactFilterShare * entries));
    }
}
