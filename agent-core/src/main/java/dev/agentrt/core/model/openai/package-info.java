/**
 * The OpenAI Chat Completions client, {@link dev.agentrt.core.model.openai.OpenAiChatModel}, which also
 * speaks to every server with the same API (vLLM, llama.cpp's server, LM Studio, Ollama's {@code /v1}),
 * and the Responses API client, {@link dev.agentrt.core.model.openai.OpenAiResponsesModel}, which keeps
 * a reasoning model's reasoning between the turns of a tool-using conversation.
 *
 * <pre>{@code
 * ChatModel gpt = OpenAiChatModel.builder().model("gpt-4.1-mini").build();   // key from OPENAI_API_KEY
 * }</pre>
 *
 * <p>Requests go through agent-core's egress layer; models are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.model.openai;

import org.jspecify.annotations.NullMarked;
