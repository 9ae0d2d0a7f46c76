package dev.agentrt.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposables;
import run.endive.wasm.types.MemoryLimits;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The output cap and the memory cap stop the guest through its guard, the same way in every runtime. */
class CappedLimitsTest {
    private final RunGuard guard = new RunGuard((after, alarm) -> Disposables.single(), Duration.ofSeconds(1));

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void theWriteThatCrossesTheOutputCapKeepsWhatFitsAndStopsTheGuest() {
        guard.enter();
        var out = new CappedOutput(10, guard);
        out.write("12345678".getBytes(StandardCharsets.UTF_8), 0, 8);
        assertThat(out.exceeded()).isFalse();

        assertThatThrownBy(() -> out.write("abcdef".getBytes(StandardCharsets.UTF_8), 0, 6))
                .isInstanceOf(OutputCapExceeded.class);
        assertThatThrownBy(() -> out.write('z')).isInstanceOf(OutputCapExceeded.class);

        assertThat(out.text()).isEqualTo("12345678ab");
        assertThat(out.exceeded()).isTrue();
        assertThat(guard.stopped()).isEqualTo(RunGuard.Stop.OUTPUT_LIMIT);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
    }

    @Test
    void anOutputBoundLaterReportsToTheRunItIsBoundTo() {
        var out = new CappedOutput(0);
        guard.enter();
        out.bind(guard);

        assertThatThrownBy(() -> out.write('z')).isInstanceOf(OutputCapExceeded.class);
        assertThat(guard.stopped()).isEqualTo(RunGuard.Stop.OUTPUT_LIMIT);
    }

    @Test
    void aGrowPastTheCapStopsTheGuestWhileAGrowPastTheDeclaredMaximumFailsAsTheSpecSays() {
        guard.enter();
        CappedMemory capped = CappedMemory.of(new MemoryLimits(1, 100), 4);
        capped.bind(guard);
        assertThat(capped.grow(3)).isEqualTo(1);

        assertThatThrownBy(() -> capped.grow(1)).isInstanceOf(MemoryCapExceeded.class);
        assertThat(guard.stopped()).isEqualTo(RunGuard.Stop.MEMORY_LIMIT);

        CappedMemory declared = CappedMemory.of(new MemoryLimits(1, 2), 4);
        assertThat(declared.grow(5)).isEqualTo(-1);
    }

    @Test
    void aGuestNeedingMoreInitialMemoryThanTheCapIsRefused() {
        assertThatThrownBy(() -> CappedMemory.of(new MemoryLimits(8, 100), 4)).isInstanceOf(MemoryCapExceeded.class)
                .hasMessageContaining("8 pages");
    }
}
