package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.time.Duration;

class SandboxLimitsTest {

    @Test
    void limitsOutsideTheirRangeAreRefusedWithTheSettingNamed() {
        assertThatThrownBy(() -> SandboxLimits.DEFAULT.withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> SandboxLimits.DEFAULT.withMaxMemoryBytes(1024))
                .hasMessageContaining("maxMemoryBytes");
        assertThatThrownBy(() -> SandboxLimits.DEFAULT.withMaxOutputBytes(-1))
                .hasMessageContaining("maxOutputBytes");
    }

    @Test
    void theMemoryCapIsCountedInWholePages() {
        assertThat(SandboxLimits.DEFAULT.withMaxMemoryBytes(3 * SandboxLimits.PAGE_BYTES + 10).maxMemoryPages())
                .isEqualTo(3);
        assertThat(RunOutcome.exit(0)).isEqualTo(RunOutcome.OK);
        assertThat(RunOutcome.exit(2).describe()).isEqualTo("exit code 2");
    }
}
