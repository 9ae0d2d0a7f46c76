/**
 * Vector memory: {@code VectorStore}s on an embedded Lucene index at a path and on PostgreSQL with
 * pgvector, and the memory built on them.
 */
@NullMarked
package dev.agentrt.memory;

import org.jspecify.annotations.NullMarked;
