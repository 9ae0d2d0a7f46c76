package dev.agentrt.otel;

import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.HostedChatModel;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Locale;

/**
 * What the conventions want to know of a model: the provider ({@code gen_ai.provider.name}), the requested model
 * and, for a hosted model, the server.
 *
 * @param port the server's port, -1 when there is no server
 */
record ModelInfo(String provider, @Nullable String requestModel, @Nullable String address, int port) {
    static ModelInfo of(ChatModel model) {
        String provider = provider(model);
        if (model instanceof HostedChatModel hosted) {
            URI base = hosted.baseUrl();
            int port = base.getPort();
            if (port < 0) {
                port = "http".equalsIgnoreCase(base.getScheme()) ? 80 : 443;
            }
            return new ModelInfo(provider, hosted.modelName(), base.getHost(), base.getHost() == null ? -1 : port);
        }
        return new ModelInfo(provider, null, null, -1);
    }

    /** The conventions' well-known value for the providers agent-core speaks to; a name of our own otherwise. */
    private static String provider(ChatModel model) {
        String type = model.getClass().getName();
        if (type.startsWith("dev.agentrt.core.model.")) {
            String pkg = type.substring("dev.agentrt.core.model.".length());
            if (pkg.startsWith("anthropic.")) {
                return "anthropic";
            }
            if (pkg.startsWith("openai.")) {
                return "openai";
            }
            if (pkg.startsWith("gemini.")) {
                return "gcp.gemini";
            }
            if (pkg.startsWith("bedrock.")) {
                return "aws.bedrock";
            }
            if (pkg.startsWith("ollama.")) {
                return "ollama";
            }
        }
        String simple = model.getClass().getSimpleName();
        if (simple.endsWith("ChatModel") && simple.length() > "ChatModel".length()) {
            simple = simple.substring(0, simple.length() - "ChatModel".length());
        }
        return "agentrt." + (simple.isEmpty() ? "model" : simple.toLowerCase(Locale.ROOT));
    }
}
