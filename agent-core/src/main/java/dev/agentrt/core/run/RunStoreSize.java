package dev.agentrt.core.run;

/**
 * How much a run store holds.
 *
 * @param runs stored runs
 * @param activeRuns runs not yet ended (running, abandoned or paused)
 * @param entries journal entries of all runs
 * @param bytes the store's size on disk (for a database server, the size of its tables and indexes)
 */
public record RunStoreSize(long runs, long activeRuns, long entries, long bytes) {}
