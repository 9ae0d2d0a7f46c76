package dev.agentrt.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.Disposables;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class RunGuardTest {
    private final List<Runnable> alarms = new ArrayList<>();
    private final List<Disposable> deadlines = new ArrayList<>();
    private final List<Duration> armedFor = new ArrayList<>();
    private final RunTimer timer = (after, alarm) -> {
        armedFor.add(after);
        alarms.add(alarm);
        Disposable d = Disposables.single();
        deadlines.add(d);
        return d;
    };
    private final RunGuard guard = new RunGuard(timer, Duration.ofSeconds(7));

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void theDeadlineIsArmedWithTheLimitWhenTheClockStartsAndDroppedWhenTheGuestReturns() {
        assertThat(guard.enter()).isTrue();
        assertThat(alarms).isEmpty();

        guard.startClock();
        assertThat(armedFor).containsExactly(Duration.ofSeconds(7));
        guard.leaveGuest();

        assertThat(deadlines.getFirst().isDisposed()).isTrue();
    }

    @Test
    void theDeadlinePassingStopsAndInterruptsTheGuest() {
        guard.enter();
        guard.startClock();

        alarms.getFirst().run();

        assertThat(guard.stopped()).isEqualTo(RunGuard.Stop.TIMEOUT);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void theFirstReasonToStopIsTheOneReported() {
        guard.enter();
        guard.startClock();

        guard.stop(RunGuard.Stop.OUTPUT_LIMIT);
        alarms.getFirst().run();
        guard.stop(RunGuard.Stop.MEMORY_LIMIT);

        assertThat(guard.stopped()).isEqualTo(RunGuard.Stop.OUTPUT_LIMIT);
    }

    @Test
    void nothingStopsAGuestThatHasReturnedAndItsThreadIsLeftClean() {
        guard.enter();
        guard.startClock();
        guard.leaveGuest();

        alarms.getFirst().run();
        guard.cancel();

        assertThat(guard.stopped()).isNull();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void aRunCancelledBeforeItBeganNeverEntersTheGuest() {
        guard.cancel();

        assertThat(guard.enter()).isFalse();
        assertThat(guard.stopped()).isEqualTo(RunGuard.Stop.CANCELLED);
    }

    @Test
    void exitClearsAPendingInterrupt() {
        guard.enter();
        guard.stop(RunGuard.Stop.TIMEOUT);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();

        guard.exit();

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
