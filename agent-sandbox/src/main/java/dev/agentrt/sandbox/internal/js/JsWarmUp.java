package dev.agentrt.sandbox.internal.js;

import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.RunOutcome;
import dev.agentrt.sandbox.SandboxLimits;
import dev.agentrt.sandbox.internal.HostTools;
import dev.agentrt.sandbox.internal.RunGuard;
import dev.agentrt.sandbox.internal.WarmUp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The JavaScript warm-up: {@code warm-up.js} run once on an engine of its own (never one of the
 * pool's, so the pool and the runs a caller counts are untouched), so that HotSpot compiles QuickJS's
 * interpreter loop before the first real script. How far that helps depends on the JVM flags (see
 * {@code CodeExecutor}): without them the loop is never compiled, and the warm-up only compiles the
 * engine's smaller functions (start-up, parser, allocator).
 */
public final class JsWarmUp {
    /** Rounds of {@code warm-up.js}: enough for C2 to compile the interpreter loop with the flags. */
    static final int ROUNDS = 12;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);
    private static final SandboxLimits LIMITS = SandboxLimits.DEFAULT.withTimeout(TIMEOUT);

    private JsWarmUp() {}

    /** Starts the warm-up in the background; does not block. */
    public static WarmUp start() {
        String script = script().replace("ROUNDS", Integer.toString(ROUNDS));
        return WarmUp.start("agentrt-js-warm-up", TIMEOUT, guard -> run(script, guard));
    }

    private static boolean run(String script, RunGuard guard) {
        try (var runner = new JsRunner(LIMITS, 0)) {
            ExecutionResult r = runner.run(script, HostFiles.none(), HostTools.none(), guard);
            return r.outcome() == RunOutcome.OK;
        }
    }

    private static String script() {
        try (InputStream in = JsWarmUp.class.getResourceAsStream("warm-up.js")) {
            if (in == null) {
                throw new IllegalStateException("warm-up.js is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
