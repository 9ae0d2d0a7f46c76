package dev.agentrt.spring;

import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.inference.LocalEmbeddingModel;

/** The embedding model agent-inference bundles; only loaded when agent-inference is on the class path. */
final class BundledEmbeddingModel {
    private BundledEmbeddingModel() {}

    /** all-MiniLM-L6-v2 (384 dimensions), loaded now (blocks); closed with the context. */
    static EmbeddingModel load() {
        return LocalEmbeddingModel.builder().build();
    }
}
