package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

class SandboxConcurrencyTest {
    private final Scheduler oneThread = Schedulers.newBoundedElastic(1, 1000, "sandbox-concurrency-test");

    @AfterEach
    void disposeScheduler() {
        oneThread.dispose();
    }

    @Test
    void twoHundredConcurrentRunsAllFinishOnABoundedNumberOfThreads() {
        Sandbox sandbox = Sandbox.create();
        WasmModule fib = wasm("fib");
        List<RunResult> results = Flux.range(0, 200)
                .flatMap(i -> sandbox.run(fib, RunRequest.builder().call("fib", 20).build()), 200)
                .collectList()
                .block(Duration.ofSeconds(60));
        assertThat(results).hasSize(200).allSatisfy(r -> {
            assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
            assertThat(r.returned()).containsExactly(6765L);
        });
        long computeThreads = Thread.getAllStackTraces()
                .keySet()
                .stream()
                .filter(t -> t.getName().startsWith("agentrt-compute"))
                .count();
        assertThat(computeThreads).isBetween(1L, (long) Runtime.getRuntime().availableProcessors());
    }

    @Test
    void cancellingTheSubscriptionInterruptsTheGuestAndFreesItsThread() {
        Sandbox sandbox = Sandbox.builder()
                .limits(SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(5)))
                .scheduler(oneThread)
                .build();
        StepVerifier.create(sandbox.run(wasm("loop"), RunRequest.empty()))
                .expectSubscription()
                .thenAwait(Duration.ofMillis(300))
                .thenCancel()
                .verify(Duration.ofSeconds(30));
        // The only thread runs the next module: the loop did not keep it.
        RunResult next = sandbox.run(wasm("hello"), RunRequest.empty()).block(Duration.ofSeconds(30));
        assertThat(next.stdout()).isEqualTo("hello, sandbox\n");
    }

    @Test
    void aRunCancelledWhileQueuedNeverStarts() throws Exception {
        var timer = new ManualTimer();
        Sandbox sandbox = Sandbox.builder()
                .limits(SandboxLimits.DEFAULT.withTimeout(Duration.ofMillis(500)))
                .scheduler(oneThread)
                .timer(timer)
                .build();
        var busy = sandbox.run(wasm("loop"), RunRequest.empty()).toFuture();
        var queuedResult = new AtomicReference<RunResult>();
        Disposable queued = sandbox.run(wasm("hello"), RunRequest.empty()).subscribe(queuedResult::set);
        queued.dispose();
        timer.fireWhenArmed();
        assertThat(busy.join().outcome()).isEqualTo(RunOutcome.TIMEOUT);
        RunResult after = sandbox.run(wasm("hello"), RunRequest.empty()).block(Duration.ofSeconds(30));
        assertThat(after.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(queuedResult.get()).isNull();
    }

    @Test
    void theTimeLimitCountsFromTheStartOfExecutionNotFromQueueing() throws Exception {
        var timer = new ManualTimer();
        Sandbox sandbox = Sandbox.builder()
                .limits(SandboxLimits.DEFAULT.withTimeout(Duration.ofMillis(400)))
                .scheduler(oneThread)
                .timer(timer)
                .build();
        // The hello run waits behind the loop on the only thread; only the loop's clock runs, and its limit
        // passing (fired here) ends it. The hello run then starts its own clock, which never passes.
        var results = Flux.merge(sandbox.run(wasm("loop"), RunRequest.empty()),
                sandbox.run(wasm("hello"), RunRequest.empty())).collectList().toFuture();
        timer.fireWhenArmed();
        assertThat(timer.armsWhenFired()).as("the queued run's clock had not started").isEqualTo(1);
        assertThat(results.get(30, java.util.concurrent.TimeUnit.SECONDS)).extracting(RunResult::outcome)
                .containsExactlyInAnyOrder(RunOutcome.TIMEOUT, RunOutcome.OK);
    }
}
