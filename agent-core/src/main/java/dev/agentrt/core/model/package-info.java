/**
 * The model SPI and its messages: a {@link dev.agentrt.core.model.ChatModel} streams a reply ({@link
 * dev.agentrt.core.model.ChatEvent}s) to a {@link dev.agentrt.core.model.ChatRequest}; an {@link
 * dev.agentrt.core.model.EmbeddingModel} turns text into vectors. The hosted providers live in the
 * sub-packages ({@code openai}, {@code anthropic}, {@code ollama}, {@code gemini}, {@code bedrock}); {@link
 * dev.agentrt.core.model.ScriptedChatModel} answers from a script, for tests and offline examples.
 *
 * <pre>{@code
 * ChatModel model = ScriptedChatModel.of(Reply.toolCall("read_file", "{\"path\":\"a.txt\"}"), Reply.text("done"));
 * ChatResponse reply = model.call(ChatRequest.of(Message.user("read a.txt"))).block();
 * }</pre>
 *
 * <p>Implementations run the contract suite in agent-core's test-jar ({@code ChatModelContract},
 * {@code EmbeddingModelContract}). Messages, requests and responses are immutable records.
 */
@NullMarked
package dev.agentrt.core.model;

import org.jspecify.annotations.NullMarked;
