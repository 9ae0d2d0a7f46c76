package dev.agentrt.memory.internal.lucene;

import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.AcceptDocs;
import org.apache.lucene.search.ConjunctionUtils;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.VectorScorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The k nearest vectors of one point-in-time searcher, segment by segment, each segment searched the way that is
 * both right and cheap for it:
 *
 * <ul>
 *   <li>the smallest segments, up to {@link SearchTuning#exactSegmentBudget()} vectors in all, by an exact scan.
 *       They are the newest (every commit flushes one, merges fold them into larger ones), so an entry just written
 *       is found whenever it is among the nearest, however few entries share its segment. A graph search there would
 *       cost about as much as the scan and can miss: a small graph has few entry points, and Lucene's own query
 *       gives a segment a share of k proportional to its size, which for a segment of a thousandth of the index is
 *       one or two candidates;
 *   <li>a filter that keeps at most {@link SearchTuning#exactFilterMatches} entries of the whole index, by an
 *       exact scan of just those entries, walking the filter's postings beside the vectors: nothing is allocated
 *       in proportion to the index, and no graph search wanders through the 99% the filter rejects;
 *   <li>every other segment by its HNSW graph (with a broad filter applied to the graph search), asking each for at
 *       least {@link SearchTuning#minCandidatesPerSegment()} candidates; if the graph walk visits more vectors than
 *       the filter keeps there, the segment is scanned exactly instead.
 * </ul>
 *
 * <p>Scores are Lucene's similarity scores of the unit vectors (for {@code DOT_PRODUCT}, {@code (1 + cos) / 2});
 * the caller rescores exactly. Doc ids in the result are the searcher's (global). Allocation per query is
 * proportional to k and the segment count, except for the bit set a broad filter needs for a graph search.
 */
final class NearestNeighbours {
    /** The spread Lucene's query adds to a segment's share of k (16 standard deviations of the binomial). */
    private static final double LAMBDA = 16;

    private NearestNeighbours() {}

    /**
     * The {@code k} nearest vectors to {@code target} (unit length) in {@code field}, among the live documents
     * matching {@code filter} (all live documents when it is null).
     */
    static TopDocs search(
            IndexSearcher searcher, String field, float[] target, int k, @Nullable Query filter, SearchTuning tuning)
            throws IOException {
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        @Nullable
        Weight filterWeight = filter == null
                ? null
                : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
        var top = new TopHits(k);
        if (filterWeight != null
                && filterCost(filterWeight, leaves) <= tuning.exactFilterMatches(searcher.getIndexReader().maxDoc())) {
            for (LeafReaderContext leaf : leaves) {
                exact(leaf, field, target, filterWeight, top);
            }
            return top.topDocs();
        }
        boolean[] exactLeaves = smallestLeaves(leaves, field, tuning.exactSegmentBudget());
        int totalDocs = Math.max(1, searcher.getIndexReader().maxDoc());
        for (LeafReaderContext leaf : leaves) {
            if (exactLeaves[leaf.ord]) {
                exact(leaf, field, target, filterWeight, top);
            } else {
                graph(leaf, field, target, k, filterWeight, totalDocs, tuning, top);
            }
        }
        return top.topDocs();
    }

    /** The filter's estimated matches over the whole index (an upper bound: the cost of its iterators). */
    private static long filterCost(Weight filter, List<LeafReaderContext> leaves) throws IOException {
        long cost = 0;
        for (LeafReaderContext leaf : leaves) {
            ScorerSupplier supplier = filter.scorerSupplier(leaf);
            if (supplier != null) {
                cost += supplier.cost();
            }
        }
        return cost;
    }

    /** Which leaves (by ord) to scan exactly: the smallest ones, while their vectors stay within the budget. */
    private static boolean[] smallestLeaves(List<LeafReaderContext> leaves, String field, int budget)
            throws IOException {
        boolean[] exact = new boolean[leaves.size()];
        if (budget <= 0) {
            return exact;
        }
        List<LeafReaderContext> bySize = new ArrayList<>(leaves);
        bySize.sort(Comparator.comparingInt(l -> l.reader().maxDoc()));
        long used = 0;
        for (LeafReaderContext leaf : bySize) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
            int size = values == null ? 0 : values.size();
            if (used + size > budget) {
                break;
            }
            used += size;
            exact[leaf.ord] = true;
        }
        return exact;
    }

    private static void graph(
            LeafReaderContext leaf,
            String field,
            float[] target,
            int k,
            @Nullable Weight filter,
            int totalDocs,
            SearchTuning tuning,
            TopHits top)
            throws IOException {
        FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
        if (values == null || values.size() == 0) {
            return;
        }
        Bits live = leaf.reader().getLiveDocs();
        int maxDoc = leaf.reader().maxDoc();
        double share = (double) maxDoc / totalDocs;
        int wanted = Math.min(
                k,
                Math.max(
                        tuning.minCandidatesPerSegment(),
                        (int) Math.ceil(k * share + LAMBDA * Math.sqrt(k * share * (1 - share)))));
        AcceptDocs accept;
        int visitLimit;
        if (filter == null) {
            accept = AcceptDocs.fromLiveDocs(live, maxDoc);
            visitLimit = Integer.MAX_VALUE;
        } else {
            ScorerSupplier supplier = filter.scorerSupplier(leaf);
            if (supplier == null) {
                return;
            }
            long cost = supplier.cost();
            if (cost <= wanted) {
                // A graph walk visits at least as many vectors as it is asked for.
                exact(leaf, field, target, filter, top);
                return;
            }
            // The supplier gives one scorer; AcceptDocs may ask for the iterator again, so later ones come fresh.
            ScorerSupplier[] first = {supplier};
            accept = AcceptDocs.fromIteratorSupplier(
                    () -> {
                        ScorerSupplier s = first[0] != null ? first[0] : filter.scorerSupplier(leaf);
                        first[0] = null;
                        return s == null ? DocIdSetIterator.empty() : s.get(Long.MAX_VALUE).iterator();
                    },
                    live,
                    maxDoc);
            // Walking more of the graph than the filter keeps costs more than scanning what it keeps.
            visitLimit = (int) Math.min(Integer.MAX_VALUE - 1L, cost) + 1;
        }
        var collector = new TopKnnCollector(wanted, visitLimit);
        leaf.reader().searchNearestVectors(field, target, collector, accept);
        if (collector.earlyTerminated()) {
            exact(leaf, field, target, filter, top);
            return;
        }
        for (ScoreDoc sd : collector.topDocs().scoreDocs) {
            top.offer(leaf.docBase + sd.doc, sd.score);
        }
    }

    /** Scores every live vector of the leaf that the filter keeps (every one without a filter). */
    private static void exact(LeafReaderContext leaf, String field, float[] target, @Nullable Weight filter,
            TopHits top)
            throws IOException {
        FloatVectorValues values = leaf.reader().getFloatVectorValues(field);
        if (values == null || values.size() == 0) {
            return;
        }
        VectorScorer scorer = values.scorer(target);
        if (scorer == null) {
            return;
        }
        DocIdSetIterator docs = scorer.iterator();
        if (filter != null) {
            Scorer matches = filter.scorer(leaf);
            if (matches == null) {
                return;
            }
            docs = ConjunctionUtils.intersectIterators(List.of(matches.iterator(), docs));
        }
        Bits live = leaf.reader().getLiveDocs();
        int base = leaf.docBase;
        for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
            if (live == null || live.get(doc)) {
                top.offer(base + doc, scorer.score());
            }
        }
    }

    /** The best k (doc, score) pairs seen: a min-heap on score, ties broken towards the lower doc id. */
    static final class TopHits {
        private final int[] docs;
        private final float[] scores;
        private int size;

        TopHits(int k) {
            docs = new int[k];
            scores = new float[k];
        }

        void offer(int doc, float score) {
            if (size < docs.length) {
                docs[size] = doc;
                scores[size] = score;
                up(size++);
            } else if (better(doc, score, 0)) {
                docs[0] = doc;
                scores[0] = score;
                down(0);
            }
        }

        TopDocs topDocs() {
            ScoreDoc[] out = new ScoreDoc[size];
            for (int i = 0; i < size; i++) {
                out[i] = new ScoreDoc(docs[i], scores[i]);
            }
            Arrays.sort(out,
                    (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
            return new TopDocs(new TotalHits(size, TotalHits.Relation.EQUAL_TO), out);
        }

        /** Whether (doc, score) ranks above the entry at heap position i. */
        private boolean better(int doc, float score, int i) {
            return score > scores[i] || (score == scores[i] && doc < docs[i]);
        }

        private void up(int i) {
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (!better(docs[parent], scores[parent], i)) {
                    return;
                }
                swap(i, parent);
                i = parent;
            }
        }

        private void down(int i) {
            while (true) {
                int left = 2 * i + 1;
                if (left >= size) {
                    return;
                }
                int worst = left;
                int right = left + 1;
                if (right < size && better(docs[worst], scores[worst], right)) {
                    worst = right;
                }
                if (!better(docs[i], scores[i], worst)) {
                    return;
                }
                swap(i, worst);
                i = worst;
            }
        }

        private void swap(int a, int b) {
            int d = docs[a];
            docs[a] = docs[b];
            docs[b] = d;
            float s = scores[a];
            scores[a] = scores[b];
            scores[b] = s;
        }
    }
}
