/**
 * The client for Ollama's native chat API, {@link dev.agentrt.core.model.ollama.OllamaChatModel}, for a
 * model served on this machine or the local network.
 *
 * <pre>{@code
 * ChatModel local = OllamaChatModel.builder().model("qwen3:4b").build();   // http://localhost:11434 by default
 * }</pre>
 *
 * <p>Requests go through agent-core's egress layer; models are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.model.ollama;

import org.jspecify.annotations.NullMarked;
