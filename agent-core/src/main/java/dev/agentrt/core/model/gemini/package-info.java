/**
 * The Google Gemini API client, {@link dev.agentrt.core.model.gemini.GeminiChatModel}, speaking
 * {@code generateContent} and {@code streamGenerateContent} natively.
 *
 * <pre>{@code
 * ChatModel gemini = GeminiChatModel.builder().model("gemini-2.5-flash").build();   // key from GEMINI_API_KEY
 * }</pre>
 *
 * <p>Requests go through agent-core's egress layer; models are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.model.gemini;

import org.jspecify.annotations.NullMarked;
