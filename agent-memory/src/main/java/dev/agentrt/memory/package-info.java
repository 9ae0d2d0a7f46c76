/**
 * Vector memory: {@link dev.agentrt.memory.VectorMemory} (a {@code Memory} over an embedding model and a
 * vector store, with chunking and directory ingestion), the stores {@link
 * dev.agentrt.memory.LuceneVectorStore} (an embedded HNSW index at a path) and {@link
 * dev.agentrt.memory.PgVectorStore} (PostgreSQL with pgvector, shared by many instances), and {@link
 * dev.agentrt.memory.MemoryTools} to let the model recall and remember on purpose.
 *
 * <pre>{@code
 * VectorMemory memory = VectorMemory.open(Path.of("./agent_memory"));   // Lucene + the bundled local model
 * memory.ingest("docs", TaskContext.fromDirectory(Path.of("docs"))).block();
 * Agent agent = Agent.builder().model(model).memory(memory).build();
 * }</pre>
 *
 * <p>Stores and memories are thread-safe; their I/O runs on {@code AgentSchedulers.blocking()}. Lucene and
 * JDBC types never appear in this package's signatures.
 */
@NullMarked
package dev.agentrt.memory;

import org.jspecify.annotations.NullMarked;
