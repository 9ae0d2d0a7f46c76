package dev.agentrt.runs;

import dev.agentrt.core.run.RunStore;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.core.Disposable;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The simulated processes of a durable-run test on the SQLite store: each process is a store instance of its own on
 * one shared file, and all of them read one clock the test moves. A crash is a store closing under its agent
 * (nothing more is written, its lease is not released); the test then moves the clock past the dead one's lease.
 * Every store is closed after the test. Registered with {@code @RegisterExtension}.
 */
final class SqliteProcesses implements AfterEachCallback {
    /** The clock of every process. */
    final MovableClock clock = new MovableClock();
    private final Supplier<Path> file;
    private final List<RunStore> stores = new ArrayList<>();

    /** Processes on the database {@code file} (asked for when the first process starts: a test's temporary file). */
    SqliteProcesses(Supplier<Path> file) {
        this.file = file;
    }

    /** A new process: a store instance of its own on the shared file. */
    RunStore start() {
        RunStore s = SqliteRunStore.builder(file.get()).clock(clock).build();
        stores.add(s);
        return s;
    }

    /**
     * The process of {@code store} dies while {@code run} runs: its store closes under it, the run is dropped, and
     * the clock moves on five minutes, past the lease the dead process held (an agent's lease is 30 s).
     */
    void crash(RunStore store, Disposable run) {
        store.close();
        run.dispose();
        clock.advance(Duration.ofMinutes(5));
    }

    /** {@link #crash}, then the next process starts: its store. */
    RunStore restart(RunStore store, Disposable run) {
        crash(store, run);
        return start();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stores.forEach(RunStore::close);
    }

    /** A clock that stands still until it is moved. */
    static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2026-03-01T09:00:00Z");

        /** Moves the clock on by {@code time}. */
        void advance(Duration time) {
            now = now.plus(time);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
