package dev.agentrt.tools.internal.mcp;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Decision;
import dev.agentrt.tools.mcp.McpSamplingOptions;
import dev.agentrt.tools.mcp.McpSamplingRequest;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Answers a server's {@code sampling/createMessage} with the application's model: the request mapped to a
 * {@link ChatRequest} (text only: agentrt's messages carry no images), checked against the token budget,
 * approved, sent, and the reply mapped back. Every refusal and failure is a JSON-RPC error to the server.
 * Thread-safe; one per {@code McpTools}, so the budget spans reconnects. Never blocks.
 */
public final class McpSampler {
    private static final Logger log = LoggerFactory.getLogger(McpSampler.class);
    /** The code the protocol's own example uses when a client (its user) rejects a sampling request. */
    static final int REFUSED = -1;

    private final String server;
    private final ChatModel model;
    private final McpSamplingOptions options;
    private final Object lock = new Object();
    /** Tokens the answered requests used. */
    private long used;
    /** The maxTokens of requests under way, held until they are answered. */
    private long reserved;

    public McpSampler(String server, ChatModel model, McpSamplingOptions options) {
        this.server = server;
        this.model = model;
        this.options = options;
    }

    /** The handler the SDK calls for each {@code sampling/createMessage}. */
    public Mono<McpSchema.CreateMessageResult> answer(McpSchema.CreateMessageRequest request) {
        return Mono.defer(() -> {
            Integer asked = request.maxTokens();
            if (asked == null || asked <= 0) {
                return Mono.error(error(McpSchema.ErrorCodes.INVALID_PARAMS,
                        "sampling request refused: maxTokens must be a positive number, was " + asked));
            }
            int max = Math.min(asked, options.maxTokens());
            ChatRequest chat;
            try {
                chat = chatRequest(request, max);
            } catch (IllegalArgumentException e) {
                return Mono.error(error(McpSchema.ErrorCodes.INVALID_PARAMS, "sampling request refused: "
                        + e.getMessage()));
            }
            long left;
            synchronized (lock) {
                left = options.tokenBudget() - used - reserved;
                if (left < max) {
                    log.warn("MCP server '{}': sampling refused, the token budget of {} has {} tokens left", server,
                            options.tokenBudget(), Math.max(0, left));
                    return Mono.error(error(REFUSED, "sampling request refused: the client's token budget for "
                            + "this server (" + options.tokenBudget() + " tokens) has " + Math.max(0, left)
                            + " tokens left, fewer than the request's maxTokens of " + max));
                }
                reserved += max;
            }
            var seen = new McpSamplingRequest(server, chat, asked, hints(request), left);
            var settled = new AtomicBoolean();
            return decide(seen).flatMap(decision -> {
                if (!decision.approved()) {
                    log.info("MCP server '{}': sampling refused by the approver: {}", server, decision.reason());
                    return Mono.error(error(REFUSED, "sampling request refused by the client: "
                            + decision.reason()));
                }
                return model.call(chat)
                        .onErrorMap(e -> !(e instanceof McpError), e -> {
                            log.warn("MCP server '{}': the model failed to answer a sampling request", server, e);
                            return error(McpSchema.ErrorCodes.INTERNAL_ERROR, "sampling failed: the client's model "
                                    + "failed" + (e instanceof ModelException && e.getMessage() != null
                                            ? ": " + e.getMessage()
                                            : ""));
                        })
                        .map(response -> {
                            settle(max, response.usage(), settled);
                            return result(response);
                        });
            }).doFinally(signal -> {
                if (settled.compareAndSet(false, true)) {
                    synchronized (lock) {
                        reserved -= max;
                    }
                }
            });
        });
    }

    private Mono<Decision> decide(McpSamplingRequest seen) {
        return Mono.defer(() -> options.approver().decide(seen))
                .onErrorResume(e -> {
                    log.warn("MCP server '{}': the sampling approver failed", server, e);
                    return Mono.just(Decision.deny("the approver failed"));
                })
                .defaultIfEmpty(Decision.deny("the approver gave no decision"));
    }

    /** Charges what a reply used; a model that reports no usage is charged the request's maxTokens. */
    private void settle(int max, Usage usage, AtomicBoolean settled) {
        if (!settled.compareAndSet(false, true)) {
            return;
        }
        long total = usage.totalTokens();
        synchronized (lock) {
            reserved -= max;
            used += total > 0 ? total : max;
        }
    }

    private static ChatRequest chatRequest(McpSchema.CreateMessageRequest request, int maxTokens) {
        var messages = new ArrayList<Message>();
        if (request.systemPrompt() != null && !request.systemPrompt().isBlank()) {
            messages.add(Message.system(request.systemPrompt()));
        }
        List<McpSchema.SamplingMessage> given = request.messages() == null ? List.of() : request.messages();
        if (given.isEmpty()) {
            throw new IllegalArgumentException("it has no messages");
        }
        for (int i = 0; i < given.size(); i++) {
            McpSchema.SamplingMessage m = given.get(i);
            if (m == null || m.role() == null) {
                throw new IllegalArgumentException("message " + (i + 1) + " has no role");
            }
            messages.add(samplingMessage(m, i + 1));
        }
        var stops = new ArrayList<String>();
        if (request.stopSequences() != null) {
            for (String stop : request.stopSequences()) {
                if (stop == null || stop.isEmpty()) {
                    throw new IllegalArgumentException("stopSequences has a null or empty entry");
                }
                stops.add(stop);
            }
        }
        var chatOptions = new ChatOptions(maxTokens, request.temperature(), null, stops);
        return new ChatRequest(messages, List.of(), chatOptions);
    }

    /**
     * One sampling message: text as it is; an image or a sound as media on a user message (the model fails the
     * request with a ModelException if it cannot take it). An assistant message holds text only.
     */
    private static Message samplingMessage(McpSchema.SamplingMessage m, int number) {
        McpSchema.Content content = m.content();
        if (content instanceof McpSchema.TextContent text && text.text() != null) {
            return m.role() == McpSchema.Role.USER ? Message.user(text.text()) : Message.assistant(text.text());
        }
        if (content instanceof McpSchema.ImageContent || content instanceof McpSchema.AudioContent) {
            if (m.role() != McpSchema.Role.USER) {
                throw new IllegalArgumentException("message " + number + " is an assistant message with "
                        + content.type() + " content; the client passes images and sounds in user messages only");
            }
            try {
                return Message.user("", List.of(McpMedia.media(content)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("message " + number + " has " + content.type()
                        + " content the client cannot pass to its model: " + e.getMessage(), e);
            }
        }
        String what = content == null ? "no content" : content.type() + " content";
        throw new IllegalArgumentException("message " + number + " has " + what
                + "; the client passes text, images and audio to its model");
    }

    private static List<String> hints(McpSchema.CreateMessageRequest request) {
        McpSchema.ModelPreferences prefs = request.modelPreferences();
        if (prefs == null || prefs.hints() == null) {
            return List.of();
        }
        var names = new ArrayList<String>();
        for (McpSchema.ModelHint h : prefs.hints()) {
            if (h != null && h.name() != null) {
                names.add(h.name());
            }
        }
        return names;
    }

    private McpSchema.CreateMessageResult result(ChatResponse response) {
        return new McpSchema.CreateMessageResult(McpSchema.Role.ASSISTANT,
                McpSchema.TextContent.builder(response.message().text()).build(), modelName(response),
                stopReason(response));
    }

    private String modelName(ChatResponse response) {
        if (response.responseModel() != null && !response.responseModel().isBlank()) {
            return response.responseModel();
        }
        if (model instanceof HostedChatModel hosted) {
            return hosted.modelName();
        }
        return model.getClass().getSimpleName();
    }

    private static McpSchema.CreateMessageResult.@Nullable StopReason stopReason(ChatResponse response) {
        return switch (response.finishReason()) {
            case STOP -> McpSchema.CreateMessageResult.StopReason.END_TURN;
            case STOP_SEQUENCE -> McpSchema.CreateMessageResult.StopReason.STOP_SEQUENCE;
            case LENGTH -> McpSchema.CreateMessageResult.StopReason.MAX_TOKENS;
            // The protocol has no word for these; the field is optional.
            case TOOL_CALLS, CONTENT_FILTER, OTHER -> null;
        };
    }

    static McpError error(int code, String message) {
        return new McpError(new McpSchema.JSONRPCResponse.JSONRPCError(code, message, null));
    }
}
