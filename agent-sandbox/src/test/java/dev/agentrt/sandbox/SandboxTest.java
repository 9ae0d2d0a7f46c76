package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.SandboxException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;

class SandboxTest {
    private final Sandbox sandbox = Sandbox.create();

    private RunResult run(WasmModule module, RunRequest request) {
        return sandbox.run(module, request).block(Duration.ofSeconds(30));
    }

    @Test
    void aCommandRunsAndItsStdoutIsCaptured() {
        RunResult r = run(wasm("hello"), RunRequest.empty());
        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.stdout()).isEqualTo("hello, sandbox\n");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.returned()).isEmpty();
    }

    @Test
    void argumentsAndStdinReachTheGuest() {
        RunResult r = run(wasm("guest"), RunRequest.builder().args("i").stdin("from stdin").build());
        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.stdout()).isEqualTo("from stdin");
    }

    @Test
    void aNonZeroExitIsItsOwnOutcome() {
        RunResult r = run(wasm("guest"), RunRequest.builder().args("?").build());
        assertThat(r.outcome()).isEqualTo(new RunOutcome.Exit(99));
    }

    @Test
    void theGuestSeesOnlyTheEnvironmentItWasGiven() {
        RunResult r = run(wasm("guest"), RunRequest.builder().args("e").env("GREETING", "hi").build());
        assertThat(r.stdout()).isEqualTo("GREETING=hi\0");
        assertThat(System.getenv()).isNotEmpty();
    }

    @Test
    void clockAndRandomAreInjected() {
        // Every byte of this time in nanoseconds is ASCII, so it survives stdout's UTF-8 decoding.
        long epochNanos = 0x1a2b3c4d5e6f7071L;
        Instant at = Instant.ofEpochSecond(epochNanos / 1_000_000_000L, epochNanos % 1_000_000_000L);
        Sandbox fixed = Sandbox.builder().clock(Clock.fixed(at, ZoneOffset.UTC)).random(() -> new Random(42)).build();
        RunResult clock = fixed.run(wasm("guest"), RunRequest.builder().args("c").build()).block();
        long nanos = ByteBuffer.wrap(clock.stdout().getBytes(StandardCharsets.ISO_8859_1))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertThat(clock.stdout()).hasSize(8);
        assertThat(nanos).isEqualTo(epochNanos);

        RunResult first = fixed.run(wasm("guest"), RunRequest.builder().args("n").build()).block();
        RunResult second = fixed.run(wasm("guest"), RunRequest.builder().args("n").build()).block();
        RunResult unseeded = run(wasm("guest"), RunRequest.builder().args("n").build());
        assertThat(first.stdout()).isEqualTo(second.stdout()).isNotEqualTo(unseeded.stdout());
    }

    @Test
    void aReactorExportIsCalledWithArgumentsAndItsResultReturned() {
        RunResult r = run(wasm("fib"), RunRequest.builder().call("fib", 20).build());
        assertThat(r.outcome()).isEqualTo(RunOutcome.OK);
        assertThat(r.returned()).containsExactly(6765L);
    }

    @Test
    void theInterpreterComputesTheSame() {
        Sandbox interpreted = Sandbox.builder().mode(ExecutionMode.INTERPRETED).build();
        RunResult r = interpreted.run(wasm("fib"), RunRequest.builder().call("fib", 15).build()).block();
        assertThat(r.returned()).containsExactly(610L);
        assertThat(interpreted.mode()).isEqualTo(ExecutionMode.INTERPRETED);
    }

    @Test
    void aModuleIsCompiledOnceAndInstantiatedPerRun() {
        WasmModule fib = wasm("fib");
        sandbox.prepare(fib).block();
        assertThat(sandbox.engine().cached()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(run(WasmModule.of(bytesOf(fib)), RunRequest.builder().call("fib", 10).build()).returned())
                    .containsExactly(55L);
        }
        assertThat(sandbox.engine().cached()).isEqualTo(1);
    }

    private static byte[] bytesOf(WasmModule m) {
        return m.bytesUnsafe().clone();
    }

    @Test
    void invalidModulesFailTheMonoWithAClearError() {
        WasmModule garbage = WasmModule.of("not wasm at all".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> run(garbage, RunRequest.empty())).isInstanceOf(SandboxException.class)
                .hasMessageContaining("not a valid WebAssembly module");
        assertThatThrownBy(() -> WasmModule.of(new byte[0])).hasMessageContaining("bytes");
    }

    @Test
    void aModuleWithoutTheRequestedEntryFailsWithTheReason() {
        assertThatThrownBy(() -> run(wasm("fib"), RunRequest.empty())).isInstanceOf(SandboxException.class)
                .hasMessageContaining("_start");
        assertThatThrownBy(() -> run(wasm("fib"), RunRequest.builder().call("nope").build()))
                .hasMessageContaining("nope");
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Sandbox.builder().maxFileSystemBytes(1).build())
                .hasMessageContaining("maxFileSystemBytes");
        assertThatThrownBy(() -> Sandbox.builder().compileCacheSize(0).build())
                .hasMessageContaining("compileCacheSize");
        assertThatThrownBy(() -> RunRequest.builder().env("A=B", "x")).hasMessageContaining("env");
        assertThatThrownBy(() -> Mount.readOnly(java.nio.file.Path.of("."), "/a/../b"))
                .hasMessageContaining("guestPath");
    }
}
