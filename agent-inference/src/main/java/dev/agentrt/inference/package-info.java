/**
 * In-process models: {@link dev.agentrt.inference.LocalEmbeddingModel} (sentence embeddings; a small MiniLM
 * model ships with it) and {@link dev.agentrt.inference.LocalChatModel} (chat generation from a Hugging Face
 * ONNX model directory, the prompt rendered from the model's own chat template). Both run on DJL with the
 * ONNX Runtime engine, on {@code AgentSchedulers.compute()}; no DJL type appears in this package's
 * signatures.
 *
 * <pre>{@code
 * try (LocalEmbeddingModel embeddings = LocalEmbeddingModel.builder().build()) {   // the bundled MiniLM
 *     Embedding e = embeddings.embed("hello").block();
 * }
 * ChatModel chat = LocalChatModel.builder().modelPath(Path.of("models/qwen2.5-0.5b-instruct")).build();
 * }</pre>
 *
 * <p>A model directory that cannot be used fails with {@link dev.agentrt.inference.ModelLoadException}.
 * Models are thread-safe and hold native memory until closed.
 */
@NullMarked
package dev.agentrt.inference;

import org.jspecify.annotations.NullMarked;
