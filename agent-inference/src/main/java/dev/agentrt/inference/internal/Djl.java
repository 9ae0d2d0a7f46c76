package dev.agentrt.inference.internal;

import ai.djl.engine.Engine;
import dev.agentrt.inference.ModelLoadException;

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

    /**
     * The ONNX Runtime engine, started on first use.
     *
     * @throws ModelLoadException when the engine cannot start. DJL starts it once per JVM, with its own
     *     global thread pool, and ONNX Runtime refuses that when another library already created the
     *     JVM's one {@code OrtEnvironment}; the failure is then permanent for the JVM (DJL's engine holder
     *     stays uninitialised), so the message says how to order the start-up.
     */
    public static Engine onnxRuntime() {
        try {
            return Engine.getEngine(ENGINE);
        } catch (ExceptionInInitializerError | NoClassDefFoundError | IllegalStateException e) {
            throw startFailure(e);
        }
    }

    private static ModelLoadException startFailure(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail = root.getMessage() != null ? root.getMessage() : root.toString();
        if (detail.contains("OrtEnvironment") && detail.contains("already exists")) {
            return new ModelLoadException("ONNX Runtime's engine for local models cannot start in this JVM: other"
                    + " code created an ai.onnxruntime.OrtEnvironment first, and DJL, which agentrt runs local"
                    + " models on, must create that environment itself (with its thread pool). Build agentrt's"
                    + " local models, or call ai.djl.engine.Engine.getEngine(\"OnnxRuntime\"), before anything"
                    + " else uses ONNX Runtime; OrtEnvironment.getEnvironment() then returns the same environment."
                    + " (" + detail + ")", e);
        }
        return new ModelLoadException("ONNX Runtime's engine for local models failed to start: " + detail, e);
    }
}
