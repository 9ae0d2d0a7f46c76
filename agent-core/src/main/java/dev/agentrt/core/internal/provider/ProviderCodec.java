package dev.agentrt.core.internal.provider;

import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import org.jspecify.annotations.Nullable;

/**
 * A provider's wire format, all that differs between the hosted clients: how a request body looks
 * and how a reply decodes. {@link HostedClient} does the rest (transport, retries, threads,
 * replay). Implementations are immutable and thread-safe; each decoder they make is confined to one
 * reply.
 */
public interface ProviderCodec {
    /** The JSON body of a request, streamed or not. */
    String body(ChatRequest request, boolean stream);

    /** A decoder for one streamed reply (usually a {@link ReplyDecoder}). */
    ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId);

    /** A whole (non-streamed) reply. */
    ChatResponse response(String body, @Nullable String requestId);
}
