/**
 * The Anthropic Messages API client, {@link dev.agentrt.core.model.anthropic.AnthropicChatModel}.
 *
 * <pre>{@code
 * ChatModel claude = AnthropicChatModel.builder().model("claude-sonnet-4-5").build();   // key from ANTHROPIC_API_KEY
 * }</pre>
 *
 * <p>Requests go through agent-core's egress layer; models are immutable and thread-safe.
 */
@NullMarked
package dev.agentrt.core.model.anthropic;

import org.jspecify.annotations.NullMarked;
