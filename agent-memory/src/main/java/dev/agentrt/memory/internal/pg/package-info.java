/**
 * The PostgreSQL + pgvector store's internals: SQL text, the pgvector text form, the connection
 * pool and the transaction runner with its reconnect rule. Not an API: users name only
 * {@code dev.agentrt.memory.PgVectorStore}.
 */
@NullMarked
package dev.agentrt.memory.internal.pg;

import org.jspecify.annotations.NullMarked;
