package dev.agentrt.consumercheck;

import dev.agentrt.core.model.Embedding;
import dev.agentrt.inference.LocalEmbeddingModel;

import java.time.Duration;
import java.util.List;

/**
 * agent-inference on a consumer's class path: the bundled all-MiniLM-L6-v2 model run by ONNX Runtime
 * through DJL, with the Hugging Face tokenizer, inside this JVM. Launched with the class path in a
 * manifest-only jar (ONNX Runtime 1.29.0 crashes on a command line over about 4 KB).
 */
public final class Smoke {
    private Smoke() {}

    public static void main(String[] args) {
        try (LocalEmbeddingModel model = LocalEmbeddingModel.builder().build()) {
            Checks.equal("the bundled model's dimensions", 384, model.dimensions());
            List<Embedding> e = model.embedAll(List.of("The cat sits on the mat.", "A cat is sitting on a rug.",
                    "Quarterly tax returns are due in April.")).block(Duration.ofSeconds(120));
            Checks.that(e != null && e.size() == 3, "expected three embeddings, got " + e);
            for (Embedding v : e) {
                Checks.equal("an embedding's dimensions", 384, v.dimensions());
                Checks.that(Math.abs(v.cosine(v) - 1) < 1e-4, "an embedding is not a usable vector: " + v);
            }
            double near = e.get(0).cosine(e.get(1));
            double far = e.get(0).cosine(e.get(2));
            Checks.that(near > far + 0.2, "the two sentences about a cat (cosine " + near
                    + ") should be much closer than a cat and taxes (cosine " + far + ")");
            System.out.printf("agent-inference smoke test passed: local embeddings (cat/cat %.2f, cat/taxes %.2f)%n",
                    near, far);
        }
    }
}
