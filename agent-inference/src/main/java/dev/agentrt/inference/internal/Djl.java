package dev.agentrt.inference.internal;

import ai.djl.engine.Engine;

/**
 * DJL set-up shared by the local models: {@code ai.djl.offline=true} unless the application set it (before DJL starts,
 * otherwise it probes a cloud metadata address and may try downloads), and the ONNX Runtime engine chosen by name
 * (the tokenizers jar registers an engine of its own) and started before anything else creates an ONNX Runtime
 * environment.
 */
public final class Djl {
    /** DJL's name of the ONNX Runtime engine. */
    public static final String ENGINE = "OnnxRuntime";

    static {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    private Djl() {}

    /** Applies the settings that must precede DJL's start; call it from the static initialiser of a public model. */
    public static void prepare() {
        // The work is in this class's static initialiser, run once on first use.
    }

    /** The ONNX Runtime engine, started on first use. */
    public static Engine onnxRuntime() {
        return Engine.getEngine(ENGINE);
    }
}
