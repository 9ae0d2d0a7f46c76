package dev.agentrt.examples;

import dev.agentrt.sandbox.CodeExecutor;

import java.nio.file.Path;

/**
 * The build step before {@link FixTheBugs}: prepares CPython's started state in {@code ./agent_cache}
 * ({@link CodeExecutor#preparePython()}), as a build makes a class-data-sharing archive, so that the program's first
 * run makes its interpreters from the file instead of starting CPython on a cold JVM. Starts CPython only when no
 * usable image is there (the first build on a machine, or after the interpreter artifact or agentrt changed); on a
 * JVM without Python for WASI it says so and does nothing. The examples' {@code -Prun} launch runs it when
 * {@code example.main} is {@code FixTheBugs}.
 */
public final class PreparePython {
    private PreparePython() {}

    public static void main(String[] args) {
        Path cache = FixTheBugs.imageCache(Path.of("agent_memory"));
        long started = System.nanoTime();
        try (CodeExecutor executor = CodeExecutor.create(CodeExecutor.Options.DEFAULT
                .withLanguages(CodeExecutor.Language.PYTHON)
                .withLimits(FixTheBugs.SANDBOX_LIMITS)
                .withPythonImageCache(cache)
                .withWarmUp(false))) {
            var unavailable = executor.unavailable(CodeExecutor.Language.PYTHON);
            if (unavailable.isPresent()) {
                System.out.println("Python for WASI is unavailable here (" + unavailable.get()
                        + "): nothing to prepare.");
                return;
            }
            boolean ready = Boolean.TRUE.equals(executor.preparePython().block());
            System.out.printf("%s in %s (%,d ms)%n", ready
                    ? "CPython's started state is ready"
                    : "CPython's started state could not be kept (the program will start CPython itself)",
                    cache, (System.nanoTime() - started) / 1_000_000);
        }
    }
}
