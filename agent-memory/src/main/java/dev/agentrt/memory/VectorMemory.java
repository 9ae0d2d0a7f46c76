package dev.agentrt.memory;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.MemoryStoreException;
import dev.agentrt.core.context.ContextFile;
import dev.agentrt.core.context.Document;
import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.memory.internal.chunk.Chunk;
import dev.agentrt.memory.internal.chunk.Chunker;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@link Memory} of an agent: texts embedded by an {@link EmbeddingModel} and kept in a {@link VectorStore}. By
 * default the model is the bundled all-MiniLM-L6-v2 running in-process (from {@code dev.agentrt:agent-inference}, an
 * optional dependency: add it, or bring your own model with {@link #open(Path, EmbeddingModel)} or the
 * {@link #builder()}) and the store an embedded Lucene index at a path, so memory works offline and survives restarts;
 * a {@link PgVectorStore} shares one memory among many application instances.
 *
 * <pre>{@code
 * try (VectorMemory memory = VectorMemory.open(Path.of("./agent_memory"))) {
 *     memory.remember(MemoryRecord.of("notes", "Deploys happen on Tuesdays", Map.of("topic", "ops"))).block();
 *     memory.index("code", TaskContext.fromDirectory(project))
 *             .doOnNext(p -> System.out.printf("%d/%d files%n", p.filesDone(), p.filesTotal()))
 *             .blockLast();
 *     List<Memory.MemoryHit> hits = memory.recall(MemoryQuery.of("code", "where are retries configured?", 5)).block();
 * }
 * }</pre>
 *
 * <p><b>Chunks.</b> A text longer than the model takes is never cut off: it is split (at declarations and blank lines
 * in source files, at headings and paragraphs in prose, with a little overlap; see {@link ChunkingOptions}) and each
 * chunk is stored as its own entry. A remembered text split in parts is one memory: {@link #forget} removes every
 * part, and a recalled part carries the memory's id. Chunks of indexed files carry the metadata {@code path},
 * {@code lines} ({@code "first-last"}), {@code hash} (of the file's content), {@code chunk} (its index) and
 * {@code source} (the context's root), which the agent shows as the source of what it recalls.
 *
 * <p><b>Re-indexing.</b> {@link #index} compares each file's content hash with the one stored at the last run: an
 * unchanged file costs a read and a hash, a changed one has its chunks replaced, a file gone from the directory (or
 * now skipped as binary) has its chunks deleted. A file's new chunks are stored in one write after its old ones are
 * deleted, so a run killed half-way leaves every file either whole or absent, and the next run completes it.
 *
 * <p><b>Durability.</b> {@code remember}, {@code forget} and each file of {@code index} complete only once the store
 * made them durable (see the store's own commit policy: {@link LuceneVectorStore} commits before completing).
 *
 * <p><b>Threading.</b> Thread-safe. Embedding runs on the model's scheduler ({@link AgentSchedulers#compute()} for
 * the local model), store I/O on the store's; nothing blocks the subscriber's thread. Do not index the same context
 * into the same namespace from two runs at once. {@link #open} and {@link #close} block.
 */
public final class VectorMemory implements Memory, AutoCloseable {
    /** Metadata key of the context an indexed chunk came from: its root directory, or {@code "documents"}. */
    public static final String SOURCE = "source";
    /** Metadata key of the SHA-256 (hex) of the whole file an indexed chunk came from. */
    public static final String HASH = "hash";
    /** Metadata key of a chunk's index within its file or memory, from {@code "0"}. */
    public static final String CHUNK = "chunk";
    /** Metadata key, on every part of a remembered text, of the memory's id. */
    public static final String MEMORY_ID = "memory_id";

    private static final int ALL = Integer.MAX_VALUE;
    private static final String DOCUMENTS_SOURCE = "documents";

    private final EmbeddingModel model;
    private final VectorStore store;
    private final ChunkingOptions chunking;
    private final boolean hybrid;
    private final int parallelism;
    private final List<AutoCloseable> owned;

    private VectorMemory(Builder b, EmbeddingModel model, VectorStore store) {
        this.model = model;
        this.store = store;
        this.chunking = b.chunking;
        this.hybrid = b.hybrid;
        this.parallelism = b.parallelism;
        this.owned = List.copyOf(b.owned);
    }

    /**
     * A memory at {@code directory}: the bundled all-MiniLM-L6-v2 model (384 dimensions) and a {@link LuceneVectorStore}
     * there, created if missing. Closing the memory closes both. Blocks while the model loads and the index opens.
     * The bundled model is in {@code dev.agentrt:agent-inference}, an optional dependency of this module: add it to
     * use this method, or pass a model of your own to {@link #open(Path, EmbeddingModel)}.
     *
     * @throws IllegalStateException if agent-inference is not on the class path (the message says what to add)
     * @throws MemoryStoreException if the directory holds something else, a damaged index, an index of another
     *     dimension count, or an index another process has open
     */
    public static VectorMemory open(Path directory) {
        Objects.requireNonNull(directory, "directory");
        EmbeddingModel model = DefaultEmbeddingModel.open(VectorMemory.class.getClassLoader());
        AutoCloseable closeModel = model instanceof AutoCloseable c ? c : () -> {};
        LuceneVectorStore store;
        try {
            store = LuceneVectorStore.open(directory, model.dimensions());
        } catch (RuntimeException e) {
            try {
                closeModel.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return builder().embeddingModel(model).store(store).closing(store).closing(closeModel).build();
    }

    /**
     * A memory at {@code directory} that embeds with {@code model}: a {@link LuceneVectorStore} of the model's
     * dimension count there, created if missing. Closing the memory closes the store, not the model (it is the
     * caller's). Blocks while the index opens.
     *
     * @throws MemoryStoreException if the directory holds something else, a damaged index, an index of another
     *     dimension count, or an index another process has open
     */
    public static VectorMemory open(Path directory, EmbeddingModel model) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(model, "model");
        LuceneVectorStore store = LuceneVectorStore.open(directory, model.dimensions());
        return builder().embeddingModel(model).store(store).closing(store).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public EmbeddingModel embeddingModel() {
        return model;
    }

    public VectorStore store() {
        return store;
    }

    /**
     * The most relevant chunks for the query's text, best first: the text is embedded (a text longer than the model
     * takes is split and its chunks' vectors averaged) and searched together with its words (hybrid search, where the
     * store supports it). A blank query recalls nothing.
     */
    @Override
    public Mono<List<MemoryHit>> recall(MemoryQuery query) {
        Objects.requireNonNull(query, "query");
        if (query.text().isBlank()) {
            return Mono.just(List.of());
        }
        return Mono.fromCallable(() -> chunker(0).split("", query.text()).stream().map(Chunk::text).toList())
                .subscribeOn(AgentSchedulers.compute())
                .flatMap(pieces -> model.embedAll(pieces)
                        .map(VectorMemory::average)
                        .flatMap(embedding -> store.search(query.namespace(),
                                new VectorStore.Query(embedding, hybrid ? query.text() : null, query.limit(),
                                        query.filter())))
                        .map(matches -> {
                            List<MemoryHit> hits = new ArrayList<>(matches.size());
                            for (VectorStore.Match match : matches) {
                                VectorStore.Entry entry = match.entry();
                                String id = entry.metadata().getOrDefault(MEMORY_ID, entry.id());
                                hits.add(new MemoryHit(
                                        new MemoryRecord(id, query.namespace(), entry.text(), entry.metadata()),
                                        match.score()));
                            }
                            return List.copyOf(hits);
                        }));
    }

    /**
     * Stores a text under the record's id (a new random id when it has none), replacing whatever that id held; a text
     * longer than the model takes is stored in parts. Completes with the id once durable. A blank text is an
     * {@link IllegalArgumentException}.
     */
    @Override
    public Mono<String> remember(MemoryRecord record) {
        Objects.requireNonNull(record, "record");
        return Mono.defer(() -> {
            if (record.text().isBlank()) {
                return Mono.error(new IllegalArgumentException("cannot remember a blank text"));
            }
            for (String key : List.of(MEMORY_ID, CHUNK)) {
                if (record.metadata().containsKey(key)) {
                    return Mono.error(new IllegalArgumentException(
                            "metadata key '" + key + "' is reserved by VectorMemory"));
                }
            }
            String id = record.id() != null ? record.id() : UUID.randomUUID().toString();
            String namespace = record.namespace();
            return Mono.fromCallable(() -> chunker(0).split("", record.text()))
                    .subscribeOn(AgentSchedulers.compute())
                    .flatMap(chunks -> model.embedAll(chunks.stream().map(Chunk::text).toList())
                            .flatMap(embeddings -> {
                                List<VectorStore.Entry> entries = new ArrayList<>(chunks.size());
                                for (int i = 0; i < chunks.size(); i++) {
                                    Map<String, String> metadata = new LinkedHashMap<>(record.metadata());
                                    metadata.put(MEMORY_ID, id);
                                    if (chunks.size() > 1) {
                                        metadata.put(CHUNK, Integer.toString(i));
                                    }
                                    String entryId = chunks.size() == 1 ? id : id + "#" + i;
                                    entries.add(new VectorStore.Entry(entryId, embeddings.get(i), chunks.get(i).text(),
                                            metadata));
                                }
                                Set<String> ids = new HashSet<>();
                                entries.forEach(e -> ids.add(e.id()));
                                // New parts first, then the old parts the new version no longer has: a crash in
                                // between leaves extra parts, never a lost memory.
                                return store.find(namespace, Map.of(MEMORY_ID, id), ALL)
                                        .flatMap(old -> store.upsert(namespace, entries)
                                                .then(store.delete(namespace, old.stream()
                                                        .map(VectorStore.Entry::id)
                                                        .filter(oldId -> !ids.contains(oldId))
                                                        .toList())));
                            }))
                    .thenReturn(id);
        });
    }

    /** Removes the memory (every part of it) or chunk with this id; completes with whether anything was removed. */
    @Override
    public Mono<Boolean> forget(String namespace, String id) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(id, "id");
        return store.delete(namespace, List.of(id))
                .zipWith(store.deleteWhere(namespace, Map.of(MEMORY_ID, id)), Long::sum)
                .map(removed -> removed > 0);
    }

    /**
     * Removes every entry of the namespace with every metadata pair of {@code filter} (the whole namespace for an
     * empty filter); completes with how many entries were removed.
     */
    public Mono<Long> forgetWhere(String namespace, Map<String, String> filter) {
        return store.deleteWhere(namespace, filter);
    }

    /** Indexes the context (see {@link #index}) and completes when every file is handled. */
    @Override
    public Mono<Void> ingest(String namespace, TaskContext context) {
        return index(namespace, context).then();
    }

    /** Indexes the documents as a context of documents (see {@link #index}). */
    @Override
    public Mono<Void> ingest(String namespace, Flux<Document> documents) {
        return documents.collectList().flatMap(list -> ingest(namespace, TaskContext.of(list)));
    }

    /**
     * Brings the namespace up to date with the context: new and changed files are chunked, embedded and stored,
     * unchanged ones (same content hash) left alone, files gone or now skipped deleted. Emits one
     * {@link IngestProgress} per file, with counts for a progress bar, and completes when all are handled. The
     * directory is walked once before any file is embedded (so the totals are known), and the chunks of new and
     * changed files are held in memory until embedded; each file's chunks are stored durably before its event is
     * emitted. Cancelling stops after the files in progress.
     */
    public Flux<IngestProgress> index(String namespace, TaskContext context) {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(context, "context");
        String source = context.root().map(Path::toString).orElse(DOCUMENTS_SOURCE);
        String idPrefix = "ctx-" + sha256(source).substring(0, 12) + ":";
        Mono<Map<String, String>> known = store.find(namespace, Map.of(SOURCE, source, CHUNK, "0"), ALL)
                .map(entries -> {
                    Map<String, String> hashes = new HashMap<>();
                    for (VectorStore.Entry entry : entries) {
                        String path = entry.metadata().get(Document.PATH);
                        String hash = entry.metadata().get(HASH);
                        if (path != null && hash != null) {
                            hashes.put(path, hash);
                        }
                    }
                    return hashes;
                });
        return Mono.zip(known, context.scan().collectList())
                .publishOn(AgentSchedulers.compute())
                .flatMapMany(t -> {
                    List<Work> plan = plan(t.getT1(), t.getT2());
                    int filesTotal = plan.size();
                    long chunksTotal = plan.stream().mapToLong(w -> w.chunks.size()).sum();
                    var filesDone = new AtomicInteger();
                    var chunksDone = new AtomicLong();
                    return Flux.fromIterable(plan)
                            .flatMap(work -> apply(namespace, source, idPrefix, work).thenReturn(work), parallelism)
                            .map(work -> new IngestProgress(work.status, work.path, work.reason,
                                    filesDone.incrementAndGet(), filesTotal,
                                    chunksDone.addAndGet(work.chunks.size()), chunksTotal));
                });
    }

    /**
     * @deprecated {@code Context} is renamed {@link TaskContext}; use {@link #index(String, TaskContext)}
     */
    @Deprecated(since = "0.2", forRemoval = true)
    @SuppressWarnings("removal")
    public Flux<IngestProgress> index(String namespace, dev.agentrt.core.context.Context context) {
        return index(namespace, context.toTaskContext());
    }

    private List<Work> plan(Map<String, String> known, List<ContextFile> files) {
        List<Work> plan = new ArrayList<>(files.size());
        Set<String> present = new HashSet<>();
        for (ContextFile file : files) {
            present.add(file.path());
            switch (file) {
                case ContextFile.Skipped skipped -> plan.add(new Work(IngestProgress.Status.SKIPPED, skipped.path(),
                        skipped.reason(), null, "", List.of(), known.containsKey(skipped.path())));
                case ContextFile.Text text -> {
                    Document document = text.document();
                    String hash = sha256(document.text());
                    if (hash.equals(known.get(document.id()))) {
                        plan.add(new Work(IngestProgress.Status.UNCHANGED, document.id(), null, document, hash,
                                List.of(), false));
                    } else {
                        plan.add(new Work(IngestProgress.Status.INDEXED, document.id(), null, document, hash,
                                chunker(headerTokens(document.id())).split(document.id(), document.text()),
                                known.containsKey(document.id())));
                    }
                }
            }
        }
        for (String path : known.keySet().stream().sorted().toList()) {
            if (!present.contains(path)) {
                plan.add(new Work(IngestProgress.Status.REMOVED, path, null, null, "", List.of(), true));
            }
        }
        return plan;
    }

    private Mono<Void> apply(String namespace, String source, String idPrefix, Work work) {
        Mono<Long> deleteOld = work.hadChunks
                ? store.deleteWhere(namespace, Map.of(SOURCE, source, Document.PATH, work.path))
                : Mono.just(0L);
        Document document = work.document;
        if (work.status != IngestProgress.Status.INDEXED || document == null || work.chunks.isEmpty()) {
            return work.status == IngestProgress.Status.UNCHANGED ? Mono.empty() : deleteOld.then();
        }
        List<String> inputs = new ArrayList<>(work.chunks.size());
        for (Chunk chunk : work.chunks) {
            inputs.add(header(work.path) + chunk.text());
        }
        return model.embedAll(inputs).flatMap(embeddings -> {
            List<VectorStore.Entry> entries = new ArrayList<>(work.chunks.size());
            for (int i = 0; i < work.chunks.size(); i++) {
                Chunk chunk = work.chunks.get(i);
                Map<String, String> metadata = new LinkedHashMap<>(document.metadata());
                metadata.put(Document.PATH, work.path);
                metadata.put(MemoryRecord.LINES, chunk.lines());
                metadata.put(SOURCE, source);
                metadata.put(HASH, work.hash);
                metadata.put(CHUNK, Integer.toString(i));
                entries.add(new VectorStore.Entry(idPrefix + work.path + "#" + i, embeddings.get(i), chunk.text(),
                        metadata));
            }
            return deleteOld.then(store.upsert(namespace, entries));
        });
    }

    /** The line each chunk of a file is embedded under, so that a question naming the file finds it. */
    private static String header(String path) {
        return path + "\n";
    }

    private int headerTokens(String path) {
        return Math.max(0, model.countTokens(header(path)) - model.countTokens(""));
    }

    private Chunker chunker(int headerTokens) {
        int limit = chunking.maxTokens() == 0
                ? model.maxInputTokens()
                : Math.min(chunking.maxTokens(), model.maxInputTokens());
        int budget = limit - headerTokens;
        if (budget < limit / 2) {
            budget = limit / 2;
        }
        int overlap = Math.min(chunking.overlapTokens(), budget / 2 - 1);
        return new Chunker(model::countTokens, budget, Math.max(0, overlap));
    }

    private static Embedding average(List<Embedding> embeddings) {
        if (embeddings.size() == 1) {
            return embeddings.get(0);
        }
        float[] sum = new float[embeddings.get(0).dimensions()];
        for (Embedding e : embeddings) {
            float[] v = e.vector();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += v[i];
            }
        }
        double norm = 0;
        for (float x : sum) {
            norm += x * x;
        }
        float scale = norm == 0 ? 1 : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < sum.length; i++) {
            sum[i] *= scale;
        }
        return Embedding.of(sum);
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** Closes the model and store this memory opened ({@link #open}) or was given to close. Idempotent. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new MemoryStoreException("could not close " + resource, e, false);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "VectorMemory[model=" + model + ", store=" + store + "]";
    }

    private record Work(IngestProgress.Status status, String path, @Nullable String reason,
            @Nullable Document document, String hash, List<Chunk> chunks, boolean hadChunks) {}

    /** Builds a {@link VectorMemory} from a model and a store of the same dimension count. */
    public static final class Builder {
        private @Nullable EmbeddingModel model;
        private @Nullable VectorStore store;
        private ChunkingOptions chunking = ChunkingOptions.DEFAULT;
        private boolean hybrid = true;
        private int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());
        private final List<AutoCloseable> owned = new ArrayList<>();

        private Builder() {}

        /** Required: what turns texts into vectors. */
        public Builder embeddingModel(EmbeddingModel model) {
            this.model = Objects.requireNonNull(model, "embeddingModel");
            return this;
        }

        /** Required: where the vectors live; its dimension count must be the model's. */
        public Builder store(VectorStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** How texts are cut into chunks (default {@link ChunkingOptions#DEFAULT}). */
        public Builder chunking(ChunkingOptions chunking) {
            this.chunking = Objects.requireNonNull(chunking, "chunking");
            return this;
        }

        /** Whether recall also searches the query's words (BM25) where the store can (default true). */
        public Builder hybrid(boolean hybrid) {
            this.hybrid = hybrid;
            return this;
        }

        /** How many files {@link VectorMemory#index} embeds at once (default: the number of cores). */
        public Builder parallelism(int parallelism) {
            this.parallelism = parallelism;
            return this;
        }

        /** Something {@link VectorMemory#close()} closes too (in the order given): the model or store, say. */
        public Builder closing(AutoCloseable resource) {
            owned.add(Objects.requireNonNull(resource, "resource"));
            return this;
        }

        /**
         * @throws IllegalStateException if the model or store is missing
         * @throws IllegalArgumentException if their dimension counts differ (both are named)
         */
        public VectorMemory build() {
            if (model == null) {
                throw new IllegalStateException("embeddingModel is required");
            }
            if (store == null) {
                throw new IllegalStateException("store is required");
            }
            if (model.dimensions() != store.dimensions()) {
                throw new IllegalArgumentException("the embedding model " + model + " makes vectors of "
                        + model.dimensions() + " dimensions but the store " + store + " holds vectors of "
                        + store.dimensions()
                        + ": use a store made for this model, or the model the store was made with");
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
            }
            int limit = chunking.maxTokens() == 0 ? model.maxInputTokens() : chunking.maxTokens();
            if (chunking.overlapTokens() * 2 >= limit) {
                throw new IllegalArgumentException("chunking.overlapTokens (" + chunking.overlapTokens()
                        + ") must be less than half of the chunk size (" + limit + ")");
            }
            return new VectorMemory(this, model, store);
        }
    }
}
