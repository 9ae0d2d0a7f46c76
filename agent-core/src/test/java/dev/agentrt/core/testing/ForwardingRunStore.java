package dev.agentrt.core.testing;

import dev.agentrt.core.Outcome;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.Lease;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreSize;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A run store that passes every call to {@code delegate}: a test overrides the calls it wants to change. */
public abstract class ForwardingRunStore implements RunStore {
    protected final RunStore delegate;

    protected ForwardingRunStore(RunStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public Mono<Lease> create(NewRun run, String owner, Duration leaseTime) {
        return delegate.create(run, owner, leaseTime);
    }

    @Override
    public Mono<RunRecord> find(String runId) {
        return delegate.find(runId);
    }

    @Override
    public Flux<RunRecord> runs(RunStatus... statuses) {
        return delegate.runs(statuses);
    }

    @Override
    public Flux<RunRecord> session(String sessionId) {
        return delegate.session(sessionId);
    }

    @Override
    public Mono<Lease> acquire(String runId, String owner, Duration leaseTime) {
        return delegate.acquire(runId, owner, leaseTime);
    }

    @Override
    public Mono<Lease> renew(Lease lease, Duration leaseTime) {
        return delegate.renew(lease, leaseTime);
    }

    @Override
    public Mono<Long> append(Lease lease, List<RunEntry> entries) {
        return delegate.append(lease, entries);
    }

    @Override
    public Mono<Void> update(Lease lease, RunStatus status, @Nullable Outcome outcome, boolean release) {
        return delegate.update(lease, status, outcome, release);
    }

    @Override
    public Mono<Void> release(Lease lease) {
        return delegate.release(lease);
    }

    @Override
    public Flux<JournalEntry> journal(String runId, long fromSequence) {
        return delegate.journal(runId, fromSequence);
    }

    @Override
    public Mono<Long> purge(Instant cutoff) {
        return delegate.purge(cutoff);
    }

    @Override
    public Mono<RunStoreSize> size() {
        return delegate.size();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
