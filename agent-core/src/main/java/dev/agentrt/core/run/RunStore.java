package dev.agentrt.core.run;

import dev.agentrt.core.Outcome;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Where durable runs live: each run's record, its append-only journal, and the lease that lets one process at a
 * time run it. Given to {@code Agent.builder().runStore(store)}, it lets a run survive a crash, wait days for a
 * person, and resume in any process that builds the same agent.
 *
 * <pre>{@code
 * RunStore store = RunStore.open(Path.of("agent_runs.db"));          // SQLite, embedded (agent-runs)
 * RunStore shared = RunStore.postgres("jdbc:postgresql://db/agents"); // many instances, one store
 * }</pre>
 *
 * <p>Every method is non-blocking: an implementation does its I/O on {@code AgentSchedulers.blocking()} or its
 * own threads. A write completes once it is durable (committed). Writes to a run's journal and status go under a
 * {@link Lease}; the store refuses one made under a lease that is no longer the run's (a fencing token), so a
 * process that lost its run cannot add to it. The contract every store meets is the test suite
 * {@code RunStoreContract} in agent-core's test jar.
 */
public interface RunStore extends AutoCloseable {
    /** The embedded SQLite store in one file (WAL mode), created if absent; needs {@code agent-runs}. */
    static RunStore open(Path path) {
        return provider().open(path);
    }

    /** The PostgreSQL store at a JDBC URL (credentials in the URL or its properties); needs {@code agent-runs}. */
    static RunStore postgres(String url) {
        return provider().postgres(url);
    }

    private static RunStoreProvider provider() {
        return ServiceLoader.load(RunStoreProvider.class, RunStore.class.getClassLoader())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no run store implementation is on the class path: "
                        + "add the dependency dev.agentrt:agent-runs"));
    }

    /**
     * Records a new run with status {@link RunStatus#RUNNING} and gives {@code owner} its first lease.
     * Fails with {@link RunStoreException.InvalidState} when a run with that id exists.
     */
    Mono<Lease> create(NewRun run, String owner, Duration leaseTime);

    /** The run, or empty when none has that id. */
    Mono<RunRecord> find(String runId);

    /** The runs with one of these statuses (all runs when none is given), oldest first. */
    Flux<RunRecord> runs(RunStatus... statuses);

    /** The runs of a conversation, oldest first. */
    Flux<RunRecord> session(String sessionId);

    /**
     * Leases the run to {@code owner}: granted when no lease is live (none was given, it was released, or it
     * expired), with a fencing token larger than every earlier one. Fails with {@link RunStoreException.RunLeased}
     * when another owner's lease is live, {@link RunStoreException.UnknownRun} for an unknown id, and
     * {@link RunStoreException.InvalidState} for a run that has ended.
     */
    Mono<Lease> acquire(String runId, String owner, Duration leaseTime);

    /**
     * Extends a lease still held. Fails with {@link RunStoreException.LeaseLost} when another lease was granted
     * since (a lapsed lease no one took is renewed).
     */
    Mono<Lease> renew(Lease lease, Duration leaseTime);

    /**
     * Appends entries to the run's journal, in order, in one transaction, and completes with the sequence
     * number of the last once they are durable. Fails with {@link RunStoreException.LeaseLost} (nothing written)
     * when the lease is no longer the run's. An implementation may commit the appends of many runs together.
     */
    Mono<Long> append(Lease lease, List<RunEntry> entries);

    /**
     * Sets the run's status (and outcome, for an ended run), then releases the lease when {@code release} is
     * true. Fails with {@link RunStoreException.LeaseLost} as {@link #append} does.
     */
    Mono<Void> update(Lease lease, RunStatus status, @Nullable Outcome outcome, boolean release);

    /** Gives the lease up without changing the run (a no-op when it is no longer the run's). */
    Mono<Void> release(Lease lease);

    /** The run's journal entries with a sequence number of at least {@code fromSequence}, in order. */
    Flux<JournalEntry> journal(String runId, long fromSequence);

    /** Deletes the ended runs last updated before {@code cutoff}, with their journals; completes with how many. */
    Mono<Long> purge(Instant cutoff);

    /** How much the store holds. */
    Mono<RunStoreSize> size();

    /** Closes the store: pending writes complete or fail, then its connections close. Idempotent. */
    @Override
    void close();
}
