package dev.agentrt.sandbox;

/** How the sandbox executes WebAssembly. */
public enum ExecutionMode {
    /**
     * Each module is translated once to JVM bytecode (the engine's runtime compiler), cached by its
     * content hash, and instantiated per run. The default: call-heavy code runs many times faster.
     * A function too large for one JVM method (rare, in very big modules) runs in the interpreter.
     */
    COMPILED,
    /** The engine's interpreter: no translation cost, slow code. For one-off runs of big modules. */
    INTERPRETED
}
