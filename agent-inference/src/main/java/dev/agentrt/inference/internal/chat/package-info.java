/**
 * Implementation of {@code LocalChatModel}: the model directory, the decoder graph and its KV cache,
 * the chat template, sampling, streaming text and tool-call parsing. Not part of the API.
 */
@NullMarked
package dev.agentrt.inference.internal.chat;

import org.jspecify.annotations.NullMarked;
