package dev.agentrt.tools.mcp;

import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;

import java.util.List;
import java.util.Objects;

/**
 * A server's {@code sampling/createMessage} request as the {@link McpSamplingApprover} sees it: the request
 * the model would get, and what the server asked that the model does not get.
 *
 * @param server the server's name, as given to {@link McpTools#builder}
 * @param chatRequest what the model is sent if approved: the server's {@code systemPrompt} as a system message,
 *     its messages, {@code maxTokens} after the cap, its {@code temperature} and {@code stopSequences}; no tools
 * @param requestedMaxTokens the {@code maxTokens} the server asked for (the request carries at most the cap)
 * @param modelHints the model names the server's {@code modelPreferences} suggest, in its order; informative
 *     only: the application's one model answers whatever they say
 * @param tokensLeft what is left of the connection's token budget, this request's {@code maxTokens} not yet
 *     counted
 */
public record McpSamplingRequest(String server, ChatRequest chatRequest, int requestedMaxTokens,
        List<String> modelHints, long tokensLeft) {
    public McpSamplingRequest {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(chatRequest, "chatRequest");
        modelHints = List.copyOf(modelHints);
    }

    private static String attached(List<Media> media) {
        return media.isEmpty() ? "" : " " + media.stream().map(Media::toString).toList();
    }

    /**
     * The conversation's text in a few lines, for a prompt to a person: each message's role and text, cut, then its
     * images and sounds by MIME type and size.
     */
    public String summary() {
        var out = new StringBuilder("MCP server '").append(server)
                .append("' asks the model (up to ")
                .append(chatRequest.options().maxTokens())
                .append(" tokens):");
        for (Message m : chatRequest.messages()) {
            String role;
            String text;
            switch (m) {
                case Message.System s -> {
                    role = "system";
                    text = s.text();
                }
                case Message.User u -> {
                    role = "user";
                    text = u.text() + attached(u.media());
                }
                case Message.Assistant a -> {
                    role = "assistant";
                    text = a.text();
                }
                case Message.ToolResult r -> {
                    role = "tool";
                    text = r.content() + attached(r.media());
                }
            }
            String cut = text.length() > 500 ? text.substring(0, 500) + "..." : text;
            out.append('\n').append(role).append(": ").append(cut);
        }
        return out.toString();
    }
}
