package dev.agentrt.memory.internal.lucene;

import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.memory.VectorStore.Entry;
import dev.agentrt.core.memory.VectorStore.Match;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.memory.LuceneOptions;
import dev.agentrt.memory.LuceneStats;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.search.ConstantScoreQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.IOUtils;
import org.apache.lucene.util.VectorUtil;
import org.jspecify.annotations.Nullable;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The store's blocking core: every method does file I/O and must run on a blocking-capable thread.
 * Thread-safe. {@code LuceneVectorStore} is the reactive adapter over it.
 */
public final class LuceneIndex implements AutoCloseable {
    static final String USER_DATA_STORE = "agentrt.store";
    static final String USER_DATA_DIMENSIONS = "agentrt.dimensions";
    static final String USER_DATA_SIMILARITY = "agentrt.similarity";
    private static final String STORE_NAME = "LuceneVectorStore/1";
    /**
     * The graph search gathers more candidates than wanted, which are then rescored exactly: graph
     * scores of near-identical vectors tie at float precision (and lose precision when quantised).
     */
    private static final int FLOAT_OVERSAMPLING = 5;

    private static final int INT8_OVERSAMPLING = 6;
    private static final int EXTRA_CANDIDATES = 10;

    private final Path path;
    private final int dimensions;
    private final LuceneOptions options;
    private final FSDirectory directory;
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final GroupCommitter committer;
    private final SearchTuning tuning;
    /** Upserts share it; deletes take it alone so that what they count is what they delete. */
    private final ReentrantReadWriteLock mutations = new ReentrantReadWriteLock();

    private final AtomicBoolean closed = new AtomicBoolean();

    private LuceneIndex(
            Path path,
            int dimensions,
            LuceneOptions options,
            FSDirectory directory,
            IndexWriter writer,
            SearcherManager searchers,
            SearchTuning tuning) {
        this.path = path;
        this.dimensions = dimensions;
        this.options = options;
        this.directory = directory;
        this.writer = writer;
        this.searchers = searchers;
        this.committer = new GroupCommitter(writer, searchers);
        this.tuning = tuning;
    }

    /**
     * Opens the index at {@code dir}, creating it if the directory is missing or empty. Never
     * overwrites: an existing index opens in append mode, and a directory holding anything else is
     * refused.
     */
    public static LuceneIndex open(Path dir, int dimensions, LuceneOptions options) {
        return open(dir, dimensions, options, SearchTuning.DEFAULTS);
    }

    /** {@link #open(Path, int, LuceneOptions)} with other exact-versus-graph crossovers (for benchmarks). */
    public static LuceneIndex open(Path dir, int dimensions, LuceneOptions options, SearchTuning tuning) {
        if (dimensions < 1 || dimensions > VectorCodec.MAX_DIMENSIONS) {
            throw new IllegalArgumentException(
                    "dimensions must be between 1 and " + VectorCodec.MAX_DIMENSIONS + ", was " + dimensions);
        }
        Path path = dir.toAbsolutePath().normalize();
        if (Files.exists(path) && !Files.isDirectory(path)) {
            throw new MemoryStoreException(path + " is not a directory, so it cannot hold a vector index", null, false);
        }
        @Nullable
        FSDirectory directory = null;
        @Nullable
        IndexWriter writer = null;
        try {
            Files.createDirectories(path);
            directory = FSDirectory.open(path);
            boolean exists = DirectoryReader.indexExists(directory);
            if (exists) {
                checkExisting(directory, path, dimensions);
            } else {
                for (String file : directory.listAll()) {
                    if (!file.equals(IndexWriter.WRITE_LOCK_NAME)) {
                        throw new MemoryStoreException(
                                path + " holds files (" + file + "...) but no Lucene index; refusing to "
                                        + "create an index there. Choose an empty or missing directory.",
                                null,
                                false);
                    }
                }
            }
            IndexWriterConfig config = new IndexWriterConfig(EntryDocuments.ANALYZER)
                    .setOpenMode(exists ? IndexWriterConfig.OpenMode.APPEND : IndexWriterConfig.OpenMode.CREATE)
                    .setCodec(VectorCodec.create(options))
                    // Every durable write commits, and so flushes a segment of its own, often of one entry. Lucene
                    // would by default merge the small segments inside the commit, waiting up to 500 ms for it and
                    // rewriting every segment below the merge floor on each commit; here the commit only writes what
                    // is new, and the tiered policy's background merges (ConcurrentMergeScheduler: one merge thread
                    // per two cores) fold small segments together. Searches never wait for merges (they read a
                    // point-in-time view), and scan the small segments exactly, so many of them cost little.
                    .setMaxFullFlushMergeWaitMillis(0)
                    .setMergePolicy(new TieredMergePolicy())
                    .setMergeScheduler(new ConcurrentMergeScheduler())
                    .setCommitOnClose(true);
            try {
                writer = new IndexWriter(directory, config);
            } catch (LockObtainFailedException e) {
                throw new MemoryStoreException(
                        "the vector index at " + path + " is in use by another open store (its "
                                + IndexWriter.WRITE_LOCK_NAME + " is held); close that store first",
                        e,
                        true);
            }
            writer.setLiveCommitData(Map.of(
                    USER_DATA_STORE, STORE_NAME,
                    USER_DATA_DIMENSIONS, Integer.toString(dimensions),
                    USER_DATA_SIMILARITY, "DOT_PRODUCT on unit vectors")
                    .entrySet());
            if (!exists) {
                writer.commit();
            }
            SearcherManager searchers = new SearcherManager(writer, null);
            return new LuceneIndex(path, dimensions, options, directory, writer, searchers, tuning);
        } catch (MemoryStoreException e) {
            rollbackQuietly(writer);
            IOUtils.closeWhileHandlingException(directory);
            throw e;
        } catch (IOException | RuntimeException e) {
            rollbackQuietly(writer);
            IOUtils.closeWhileHandlingException(directory);
            throw unreadable(path, e);
        }
    }

    private static void checkExisting(FSDirectory directory, Path path, int dimensions) throws IOException {
        // A read-only open first: it validates every segment's headers and footers without a writer
        // that could delete files, so a damaged index is reported, not repaired or replaced.
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            Map<String, String> data = reader.getIndexCommit().getUserData();
            String stored = data.get(USER_DATA_DIMENSIONS);
            if (stored == null || !STORE_NAME.equals(data.get(USER_DATA_STORE))) {
                throw new MemoryStoreException(
                        path + " holds a Lucene index that LuceneVectorStore did not write; refusing to use it",
                        null,
                        false);
            }
            if (!stored.equals(Integer.toString(dimensions))) {
                throw new MemoryStoreException(
                        "the vector index at " + path + " holds vectors of " + stored + " dimensions, but it was "
                                + "opened for " + dimensions + " (did the embedding model change?); open it with "
                                + stored + " or use another directory",
                        null,
                        false);
            }
        }
    }

    private static MemoryStoreException unreadable(Path path, Exception e) {
        boolean damaged = e instanceof CorruptIndexException
                || e instanceof IndexFormatTooOldException
                || e instanceof IndexFormatTooNewException
                || e instanceof EOFException
                || e instanceof NoSuchFileException
                || e instanceof FileNotFoundException;
        String what = damaged ? "is corrupted or incomplete" : "cannot be opened";
        return new MemoryStoreException(
                "the vector index at " + path + " " + what + " (" + e + "); nothing was changed", e, false);
    }

    private static void rollbackQuietly(@Nullable IndexWriter writer) {
        if (writer != null) {
            try {
                writer.rollback();
            } catch (IOException | RuntimeException ignored) {
                // Already failing; the original error is the one to report.
            }
        }
    }

    public Path path() {
        return path;
    }

    public int dimensions() {
        return dimensions;
    }

    public LuceneOptions options() {
        return options;
    }

    /** Commits so far (a measure of group commit at work). */
    public long commits() {
        return committer.commits();
    }

    public void upsert(String namespace, List<Entry> entries) {
        checkNamespace(namespace);
        for (Entry e : entries) {
            String problem = EntryDocuments.problem(namespace, e, dimensions);
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        List<Document> docs = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            docs.add(EntryDocuments.toDocument(namespace, e));
        }
        io(() -> {
            long last = -1;
            mutations.readLock().lock();
            try {
                for (int i = 0; i < docs.size(); i++) {
                    last = writer.updateDocument(EntryDocuments.key(namespace, entries.get(i).id()), docs.get(i));
                }
            } finally {
                mutations.readLock().unlock();
            }
            committer.awaitDurable(last);
            return null;
        });
    }

    public long delete(String namespace, Collection<String> ids) {
        checkNamespace(namespace);
        if (ids.isEmpty()) {
            return 0;
        }
        Term[] keys = new LinkedHashSet<>(ids).stream()
                .map(id -> EntryDocuments.key(namespace, id))
                .toArray(Term[]::new);
        List<BytesRef> terms = new ArrayList<>(keys.length);
        for (Term k : keys) {
            terms.add(k.bytes());
        }
        return deleteCounting(new TermInSetQuery(EntryDocuments.KEY, terms), keys);
    }

    public long deleteWhere(String namespace, Map<String, String> filter) {
        checkNamespace(namespace);
        return deleteCounting(EntryDocuments.filter(namespace, filter), null);
    }

    private long deleteCounting(org.apache.lucene.search.Query query, Term @Nullable [] keys) {
        return io(() -> {
            long count;
            long seqNo;
            mutations.writeLock().lock();
            try {
                // Every applied write is in the refreshed view, and none can start until the delete is applied.
                searchers.maybeRefreshBlocking();
                IndexSearcher searcher = searchers.acquire();
                try {
                    count = searcher.count(query);
                } finally {
                    searchers.release(searcher);
                }
                if (count == 0) {
                    return 0L;
                }
                seqNo = keys != null ? writer.deleteDocuments(keys) : writer.deleteDocuments(query);
            } finally {
                mutations.writeLock().unlock();
            }
            committer.awaitDurable(seqNo);
            return count;
        });
    }

    public List<Entry> find(String namespace, Map<String, String> filter, int limit) {
        checkNamespace(namespace);
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        return io(() -> {
            IndexSearcher searcher = searchers.acquire();
            try {
                TopDocs top = searcher.search(new ConstantScoreQuery(EntryDocuments.filter(namespace, filter)), limit);
                StoredFields stored = searcher.storedFields();
                List<Entry> out = new ArrayList<>(top.scoreDocs.length);
                for (ScoreDoc sd : top.scoreDocs) {
                    out.add(EntryDocuments.toEntry(stored.document(sd.doc)));
                }
                return List.copyOf(out);
            } finally {
                searchers.release(searcher);
            }
        });
    }

    /**
     * kNN over the graph within the filter, rescored with exact cosine on the stored floats. With
     * query text, the BM25 hits within the filter join the candidates, and each candidate scores
     * {@code (1 - w) * cosine + w * bm25 / maxBm25} (w = the text weight; bm25 is 0 for a candidate
     * the text does not match, maxBm25 the best BM25 score among the candidates).
     */
    public List<Match> search(String namespace, Query query) {
        checkNamespace(namespace);
        if (query.embedding().dimensions() != dimensions) {
            throw new IllegalArgumentException("the query has " + query.embedding().dimensions()
                    + " dimensions, but this store holds vectors of " + dimensions);
        }
        return io(() -> {
            IndexSearcher searcher = searchers.acquire();
            try {
                int maxDoc = searcher.getIndexReader().maxDoc();
                if (maxDoc == 0) {
                    return List.<Match>of();
                }
                int oversampling = options.encoding() == LuceneOptions.Encoding.INT8
                        ? INT8_OVERSAMPLING
                        : FLOAT_OVERSAMPLING;
                int k = (int) Math.min((long) query.limit() * oversampling + EXTRA_CANDIDATES, maxDoc);
                var filter = EntryDocuments.filter(namespace, query.filter());
                float[] target = EntryDocuments.unit(query.embedding().vector());
                // When every document of the index is in the namespace and there is no metadata filter, the filter
                // keeps everything: search without it rather than walk its postings or build a bit set of it.
                boolean wholeIndex = query.filter().isEmpty()
                        && searcher.getIndexReader().docFreq(new Term(EntryDocuments.NAMESPACE, namespace)) == maxDoc;
                TopDocs knn = NearestNeighbours.search(searcher, EntryDocuments.VECTOR, target, k,
                        wholeIndex ? null : filter, tuning);

                Map<Integer, Float> bm25 = new HashMap<>();
                float maxBm25 = 0;
                var textQuery = query.text() == null || query.text().isBlank()
                        ? null
                        : EntryDocuments.text(query.text(), filter);
                if (textQuery != null) {
                    for (ScoreDoc sd : searcher.search(textQuery, k).scoreDocs) {
                        bm25.put(sd.doc, sd.score);
                        maxBm25 = Math.max(maxBm25, sd.score);
                    }
                }
                var candidates = new LinkedHashSet<Integer>();
                for (ScoreDoc sd : knn.scoreDocs) {
                    candidates.add(sd.doc);
                }
                candidates.addAll(bm25.keySet());

                double w = textQuery == null ? 0 : options.textWeight();
                // Rank the candidates by the cosine from the index's unit float vectors (kept beside the int8
                // ones too), then read the stored entries (decompressing them is the expensive part of a search)
                // of the best few only, and give those the exact cosine of the original floats in double, which
                // also orders near-duplicates that float precision cannot tell apart.
                int[] docs = candidates.stream().mapToInt(Integer::intValue).sorted().toArray();
                double[] scores = new double[docs.length];
                double[] cosines = exactCosines(searcher, docs, target);
                for (int i = 0; i < docs.length; i++) {
                    double text = maxBm25 > 0 ? bm25.getOrDefault(docs[i], 0f) / maxBm25 : 0;
                    scores[i] = (1 - w) * cosines[i] + w * text;
                }
                Integer[] order = new Integer[docs.length];
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
                StoredFields stored = searcher.storedFields();
                int n = Math.min(query.limit() + EXTRA_CANDIDATES, order.length);
                List<Match> matches = new ArrayList<>(n);
                for (int r = 0; r < n; r++) {
                    int i = order[r];
                    Entry entry = EntryDocuments.toEntry(stored.document(docs[i]));
                    double text = maxBm25 > 0 ? bm25.getOrDefault(docs[i], 0f) / maxBm25 : 0;
                    matches.add(new Match(entry, (1 - w) * entry.embedding().cosine(query.embedding()) + w * text));
                }
                matches.sort(Comparator.comparingDouble(Match::score).reversed());
                return List.copyOf(matches.subList(0, Math.min(query.limit(), matches.size())));
            } finally {
                searchers.release(searcher);
            }
        });
    }

    /** The dot product of {@code target} (a unit vector) with each doc's unit vector; docs ascending. */
    private static double[] exactCosines(IndexSearcher searcher, int[] docs, float[] target) throws IOException {
        double[] out = new double[docs.length];
        List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
        int i = 0;
        while (i < docs.length) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docs[i], leaves));
            int end = leaf.docBase + leaf.reader().maxDoc();
            FloatVectorValues values = leaf.reader().getFloatVectorValues(EntryDocuments.VECTOR);
            KnnVectorValues.DocIndexIterator it = values == null ? null : values.iterator();
            for (; i < docs.length && docs[i] < end; i++) {
                int local = docs[i] - leaf.docBase;
                if (values != null && it != null && (it.docID() == local || it.advance(local) == local)) {
                    out[i] = VectorUtil.dotProduct(target, values.vectorValue(it.index()));
                } else {
                    out[i] = -1;
                }
            }
        }
        return out;
    }

    /** Entries and segments of the current searcher's view, largest segment first. */
    public LuceneStats stats() {
        return io(() -> {
            IndexSearcher searcher = searchers.acquire();
            try {
                List<LuceneStats.Segment> segments = new ArrayList<>();
                long bytes = 0;
                IndexReader reader = searcher.getIndexReader();
                for (LeafReaderContext leaf : reader.leaves()) {
                    LeafReader r = FilterLeafReader.unwrap(leaf.reader());
                    long size = r instanceof SegmentReader sr ? sr.getSegmentInfo().sizeInBytes() : 0;
                    String name = r instanceof SegmentReader sr ? sr.getSegmentName() : "leaf" + leaf.ord;
                    segments.add(new LuceneStats.Segment(name, r.numDocs(), r.numDeletedDocs(), size));
                    bytes += size;
                }
                segments.sort(Comparator.comparingLong(LuceneStats.Segment::sizeBytes).reversed());
                return new LuceneStats(reader.numDocs(), reader.numDeletedDocs(), bytes, segments);
            } finally {
                searchers.release(searcher);
            }
        });
    }

    /** Commits what is pending, closes the writer and releases the directory lock. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        committer.exclusively(() -> {
            try {
                IOUtils.close(searchers, writer, directory);
            } catch (IOException e) {
                throw new MemoryStoreException("closing the vector index at " + path + " failed: " + e, e, false);
            }
        });
    }

    private static void checkNamespace(String namespace) {
        if (namespace.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a namespace must not contain the character U+0000");
        }
    }

    @FunctionalInterface
    private interface IoWork<T> {
        T run() throws IOException;
    }

    private <T> T io(IoWork<T> work) {
        if (closed.get()) {
            throw closedError(null);
        }
        try {
            return work.run();
        } catch (AlreadyClosedException e) {
            Throwable tragic = writer.getTragicException();
            if (tragic != null) {
                throw new MemoryStoreException(
                        "the vector index at " + path + " failed and was closed: " + tragic, tragic, false);
            }
            throw closedError(e);
        } catch (IOException e) {
            throw new MemoryStoreException("I/O on the vector index at " + path + " failed: " + e, e, false);
        }
    }

    private MemoryStoreException closedError(@Nullable Throwable cause) {
        return new MemoryStoreException("the vector index at " + path + " is closed", cause, false);
    }
}
