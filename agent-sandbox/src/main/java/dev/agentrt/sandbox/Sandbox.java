package dev.agentrt.sandbox;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.sandbox.internal.RunTimer;
import dev.agentrt.sandbox.internal.Runs;
import dev.agentrt.sandbox.internal.WasmEngine;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Runs WebAssembly modules (WASI preview 1 commands, or reactors through their exports) with no
 * ambient authority and hard limits. Each run gets a fresh instance, a fresh in-memory file system
 * holding only the granted files it asked for, captured stdout and stderr, chosen arguments,
 * environment and stdin, and nothing else: no host files, no network, no host environment.
 *
 * <pre>{@code
 * Sandbox sandbox = Sandbox.builder()
 *     .limits(SandboxLimits.DEFAULT.withTimeout(Duration.ofSeconds(5)))
 *     .build();
 * RunResult result = sandbox.run(WasmModule.read(Path.of("wc.wasm")),
 *         RunRequest.builder().stdin("one two three").build()).block();
 * if (result.outcome() instanceof RunOutcome.Ok) { System.out.println(result.stdout()); }
 * }</pre>
 *
 * <h2>Limits and outcomes</h2>
 * Every run ends with a {@link RunOutcome}: the wall-clock limit interrupts the guest
 * ({@code TIMEOUT}), a {@code memory.grow} past the cap or a module declaring more initial memory than
 * the cap gives {@code MEMORY_LIMIT} (the latter without running), output past the cap
 * {@code OUTPUT_LIMIT}, deep recursion {@code Trap("call stack exhausted")}, a WASI
 * {@code proc_exit(n)} {@code Exit(n)}. The first limit reached ends the run and is the one reported;
 * JavaScript and Python in a {@link CodeExecutor} end the same way under the same limits. Only what is not a run of the guest fails the {@code Mono}: an
 * invalid module ({@code SandboxException}), a mount no grant allows ({@code CapabilityDeniedException}),
 * a mount that cannot be copied in or a copy-back that fails ({@code SandboxException}; this includes a
 * symbolic link swapped into a mount while it is copied in). A copy-back target reached through a
 * symbolic link is never written: it is listed in {@link RunResult#refused()}.
 *
 * <h2>Compilation</h2>
 * In {@link ExecutionMode#COMPILED} (the default) a module is translated to JVM bytecode on its first
 * run and kept, keyed by its SHA-256, in this sandbox's cache; later runs only instantiate it.
 * Keep one {@code Sandbox} per configuration and share it.
 *
 * <h2>Threading</h2>
 * Immutable and thread-safe. {@link #run} is cold and non-blocking: the run executes on
 * {@link AgentSchedulers#compute()} (bounded, so hundreds of runs queue instead of oversubscribing
 * the cores); the time limit counts from the start of execution, after the module's compilation on
 * its first run. Cancelling the subscription
 * interrupts the guest, which stops at its next call or backward branch.
 */
public final class Sandbox {
    private final ExecutionMode mode;
    private final SandboxLimits limits;
    private final Clock clock;
    private final Supplier<? extends Random> random;
    private final long maxFileSystemBytes;
    private final int compileCacheSize;
    private final Scheduler scheduler;
    private final RunTimer timer;
    private final WasmEngine engine;

    private Sandbox(Builder b) {
        this.mode = b.mode;
        this.limits = b.limits;
        this.clock = b.clock;
        this.random = b.random;
        this.maxFileSystemBytes = b.maxFileSystemBytes;
        this.compileCacheSize = b.compileCacheSize;
        this.scheduler = b.scheduler;
        this.timer = b.timer;
        this.engine = new WasmEngine(mode, limits, clock, random, maxFileSystemBytes, compileCacheSize);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A sandbox with the defaults: compiled, {@link SandboxLimits#DEFAULT}, system clock, secure random. */
    public static Sandbox create() {
        return builder().build();
    }

    /** A builder holding this sandbox's settings (the variant gets a compile cache of its own). */
    public Builder toBuilder() {
        return new Builder().mode(mode)
                .limits(limits)
                .clock(clock)
                .random(random)
                .maxFileSystemBytes(maxFileSystemBytes)
                .compileCacheSize(compileCacheSize)
                .scheduler(scheduler)
                .timer(timer);
    }

    /** Runs {@code module} once as {@code request} says. Cold; see the class comment for what fails the Mono. */
    public Mono<RunResult> run(WasmModule module, RunRequest request) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(request, "request");
        return Runs.onScheduler(scheduler, timer, limits.timeout(),
                guard -> engine.run(module.digest(), module.bytesUnsafe(), request, guard));
    }

    /**
     * Parses and compiles {@code module} into the cache now, so that its first run only instantiates
     * it. Fails with {@code SandboxException} for an invalid module.
     */
    public Mono<Void> prepare(WasmModule module) {
        Objects.requireNonNull(module, "module");
        return Mono.<Void>fromRunnable(() -> engine.prepare(module.digest(), module.bytesUnsafe()))
                .subscribeOn(scheduler);
    }

    public SandboxLimits limits() {
        return limits;
    }

    public ExecutionMode mode() {
        return mode;
    }

    /** The engine behind this sandbox, for the WASM plugin runner in this module. */
    WasmEngine engine() {
        return engine;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    /** What arms each run's time limit. */
    RunTimer timer() {
        return timer;
    }

    /** Builds a {@link Sandbox}. Not thread-safe; the sandbox is. */
    public static final class Builder {
        private ExecutionMode mode = ExecutionMode.COMPILED;
        private SandboxLimits limits = SandboxLimits.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Supplier<? extends Random> random = SecureRandom::new;
        private long maxFileSystemBytes = 64L << 20;
        private int compileCacheSize = 64;
        private Scheduler scheduler = AgentSchedulers.compute();
        private RunTimer timer = RunTimer.SYSTEM;

        private Builder() {}

        public Builder mode(ExecutionMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        public Builder limits(SandboxLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The clock the guest reads through WASI {@code clock_time_get}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** A source of the random generator each run's WASI {@code random_get} reads; called once per run. */
        public Builder random(Supplier<? extends Random> random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** Cap on the bytes a run's in-memory file system holds (copied-in files and guest writes); 64 MiB by default. */
        public Builder maxFileSystemBytes(long maxFileSystemBytes) {
            this.maxFileSystemBytes = maxFileSystemBytes;
            return this;
        }

        /** How many compiled modules the sandbox keeps (one is dropped when a new one comes in a full cache); 64 by default. */
        public Builder compileCacheSize(int compileCacheSize) {
            this.compileCacheSize = compileCacheSize;
            return this;
        }

        /** Where runs execute; {@link AgentSchedulers#compute()} by default. Must allow blocking. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** What arms each run's time limit; the wall clock by default. For tests in this package. */
        Builder timer(RunTimer timer) {
            this.timer = Objects.requireNonNull(timer, "timer");
            return this;
        }

        public Sandbox build() {
            if (maxFileSystemBytes < 4096) {
                throw new IllegalArgumentException(
                        "maxFileSystemBytes must be at least 4096, was " + maxFileSystemBytes);
            }
            if (compileCacheSize < 1) {
                throw new IllegalArgumentException("compileCacheSize must be at least 1, was " + compileCacheSize);
            }
            return new Sandbox(this);
        }
    }
}
