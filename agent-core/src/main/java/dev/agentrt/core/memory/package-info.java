/**
 * The memory SPI: {@link dev.agentrt.core.memory.Memory} recalls and remembers records for a task, a
 * {@link dev.agentrt.core.memory.VectorStore} holds embeddings ({@link
 * dev.agentrt.core.memory.InMemoryVectorStore} here; Lucene and PostgreSQL in agent-memory), and a {@link
 * dev.agentrt.core.memory.ConversationWindow} chooses which messages of a long transcript the model sees.
 *
 * <pre>{@code
 * Agent.builder().memory(memory).window(ConversationWindow.tokens(32_000))
 * }</pre>
 *
 * <p>Stores run {@code VectorStoreContract} from agent-core's test-jar; implementations are thread-safe.
 */
@NullMarked
package dev.agentrt.core.memory;

import org.jspecify.annotations.NullMarked;
