package dev.agentrt.memory;

import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.inference.LocalEmbeddingModel;

/**
 * The embedding model {@link VectorMemory#open(java.nio.file.Path)} uses when given none: the bundled all-MiniLM-L6-v2
 * of agent-inference, an optional dependency of this module. A user who passes their own model never needs it (and
 * does not get DJL, ONNX Runtime or the tokenizers); a user who does not, and lacks agent-inference, gets an
 * {@link IllegalStateException} saying which dependency to add or how to pass a model.
 *
 * <p>Only {@link #load} names agent-inference's types, and the JVM resolves them when it first runs it; {@link #open}
 * checks that they are there before that, so their absence is a message, not a {@link NoClassDefFoundError}.
 */
final class DefaultEmbeddingModel {
    /** The class whose presence on the class path means the bundled model is there. */
    static final String LOCAL_MODEL_CLASS = "dev.agentrt.inference.LocalEmbeddingModel";

    private DefaultEmbeddingModel() {}

    /** The bundled model, loaded (blocks); the caller closes it. */
    static EmbeddingModel open(ClassLoader loader) {
        try {
            Class.forName(LOCAL_MODEL_CLASS, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw missing(e);
        }
        try {
            return load();
        } catch (NoClassDefFoundError e) {
            // agent-inference is there but something it runs on was left out (an exclusion, say).
            throw missing(e);
        }
    }

    private static EmbeddingModel load() {
        return LocalEmbeddingModel.builder().build();
    }

    private static IllegalStateException missing(Throwable cause) {
        return new IllegalStateException("VectorMemory.open(path) embeds with the bundled all-MiniLM-L6-v2 model,"
                + " which is in the optional dependency dev.agentrt:agent-inference, and that is not on the class path ("
                + cause + "). Either add dev.agentrt:agent-inference (at agent-memory's version) to your"
                + " dependencies, or pass your own model: VectorMemory.open(path, embeddingModel), or"
                + " VectorMemory.builder().embeddingModel(...).store(...).build()", cause);
    }
}
