package dev.agentrt.inference.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Closing a guard from outside and from inside its own calls: freed once, never under a running call, no hang. */
class NativeGuardTest {
    final AtomicInteger freed = new AtomicInteger();
    final NativeGuard guard = new NativeGuard(() -> new IllegalStateException("closed"));

    @Test
    void aCloseFromInsideACallReturnsAtOnceAndTheCallFreesAsItEnds() {
        String result = guard.read(() -> {
            guard.close(freed::incrementAndGet);
            // Closed to new calls, but not freed under this one.
            assertThat(freed).hasValue(0);
            assertThatThrownBy(() -> guard.read(() -> "nested")).hasMessage("closed");
            assertThat(freed).as("a nested call ending does not free under the outer one").hasValue(0);
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(freed).hasValue(1);
        guard.close(freed::incrementAndGet);
        assertThat(freed).as("idempotent").hasValue(1);
    }

    @Test
    void withAnotherCallRunningTheLastCallToEndFrees() throws Exception {
        CountDownLatch otherInside = new CountDownLatch(1);
        CountDownLatch otherMayEnd = new CountDownLatch(1);
        Thread other = Thread.ofPlatform().start(() -> guard.read(() -> {
            otherInside.countDown();
            await(otherMayEnd);
            return null;
        }));
        assertThat(otherInside.await(60, TimeUnit.SECONDS)).isTrue();
        guard.read(() -> {
            guard.close(freed::incrementAndGet);
            return null;
        });
        assertThat(freed).as("the other call still runs").hasValue(0);
        otherMayEnd.countDown();
        other.join(60_000);
        assertThat(freed).hasValue(1);
    }

    @Test
    void aCloseWaitingOutsideAndACloseFromInsideFreeExactlyOnceAndTheOutsideOneReturnsFreed() throws Exception {
        AtomicInteger freedWhenOutsideReturned = new AtomicInteger(-1);
        Thread[] outside = new Thread[1];
        guard.read(() -> {
            outside[0] = Thread.ofPlatform().start(() -> {
                guard.close(freed::incrementAndGet);
                freedWhenOutsideReturned.set(freed.get());
            });
            // The outside close waits for this call (parked on the write lock).
            long hangGuard = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (outside[0].getState() != Thread.State.WAITING && System.nanoTime() < hangGuard) {
                Thread.onSpinWait();
            }
            guard.close(() -> freed.addAndGet(10));
            return null;
        });
        outside[0].join(60_000);
        // Whichever takes the write lock first frees: the inside close's release, which came first in time.
        assertThat(freed).hasValue(10);
        assertThat(freedWhenOutsideReturned).hasValue(10);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
