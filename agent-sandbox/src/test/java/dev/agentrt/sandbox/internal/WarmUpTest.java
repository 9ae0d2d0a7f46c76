package dev.agentrt.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

class WarmUpTest {
    private static final Duration WAIT = Duration.ofMinutes(1);

    @Test
    void workThatRunsToItsEndCompletesTrueOnALowPriorityDaemonThread() {
        var thread = new AtomicReference<Thread>();
        WarmUp warmUp = WarmUp.start("test-warm-up", WAIT, guard -> {
            thread.set(Thread.currentThread());
            return true;
        });

        StepVerifier.create(warmUp.done()).expectNext(true).expectComplete().verify(WAIT);
        assertThat(thread.get().getName()).isEqualTo("test-warm-up");
        assertThat(thread.get().isDaemon()).isTrue();
        assertThat(thread.get().getPriority()).isEqualTo(Thread.MIN_PRIORITY);
    }

    @Test
    void closeStopsRunningWorkWhichThenCompletesFalse() throws InterruptedException {
        var started = new CountDownLatch(1);
        var interrupted = new CountDownLatch(1);
        WarmUp warmUp = WarmUp.start("test-warm-up", WAIT, guard -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
            return true;
        });
        assertThat(started.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        warmUp.close();

        StepVerifier.create(warmUp.done()).expectNext(false).expectComplete().verify(WAIT);
        assertThat(interrupted.getCount()).isZero();
    }

    @Test
    void failingWorkCompletesFalseAndNoneIsFalseAtOnce() {
        WarmUp failing = WarmUp.start("test-warm-up", WAIT, guard -> {
            throw new IllegalStateException("boom");
        });

        StepVerifier.create(failing.done()).expectNext(false).expectComplete().verify(WAIT);
        StepVerifier.create(WarmUp.none().done()).expectNext(false).expectComplete().verify(Duration.ZERO);
    }
}
