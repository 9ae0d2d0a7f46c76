/**
 * Durable runs: {@link dev.agentrt.runs.SqliteRunStore}, the embedded run store in one file, and
 * {@link dev.agentrt.runs.PostgresRunStore}, one store shared by many application instances. Both implement
 * {@link dev.agentrt.core.run.RunStore}; give one to {@code Agent.builder().runStore(store)}.
 */
@NullMarked
package dev.agentrt.runs;

import org.jspecify.annotations.NullMarked;
