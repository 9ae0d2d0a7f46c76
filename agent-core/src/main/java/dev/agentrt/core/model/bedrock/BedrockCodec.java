package dev.agentrt.core.model.bedrock;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.http.EventStreamDecoder;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.internal.provider.ProviderCodec;
import dev.agentrt.core.internal.provider.ProviderJson;
import dev.agentrt.core.internal.provider.ProviderMedia;
import dev.agentrt.core.internal.provider.ReplyDecoder;
import dev.agentrt.core.internal.provider.ToolCallNumbers;
import dev.agentrt.core.internal.provider.Turns;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Converse API wire format: request bodies, whole replies, and the reading of a
 * {@code ConverseStream} reply's event-stream messages. Immutable and thread-safe; each stream
 * reader is confined to one reply.
 */
final class BedrockCodec implements ProviderCodec {
    /** The event-stream encoding's own limit on one message (16 MiB). */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    /** Stream exceptions that may pass when asked again. */
    private static final Set<String> RETRYABLE = Set.of("throttlingException", "modelStreamErrorException",
            "internalServerException", "serviceUnavailableException", "modelNotReadyException");

    private final ProviderHttp http;
    private final ChatOptions defaults;

    private final ProviderMedia media;

    BedrockCodec(ProviderHttp http, HostedSettings settings) {
        this.media = settings.media("Bedrock");
        this.http = http;
        this.defaults = settings.defaults();
    }

    @Override
    public ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return ReplyDecoder.messages(http, requestId, MAX_MESSAGE_BYTES, "metadata", new StreamReader(requestId));
    }

    // ------------------------------------------------------------------------------- the request

    /** The same body for {@code Converse} and {@code ConverseStream}: the endpoint says which. */
    @Override
    public String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder();
        var system = new ArrayList<JsonValue>();
        b.put("messages", messages(request.messages(), system, media));
        if (!system.isEmpty()) {
            b.put("system", new JsonArray(system));
        }
        var inference = JsonObject.builder();
        if (o.maxTokens() != null) {
            inference.put("maxTokens", o.maxTokens());
        }
        if (o.temperature() != null) {
            inference.put("temperature", o.temperature());
        }
        if (o.topP() != null) {
            inference.put("topP", o.topP());
        }
        if (!o.stopSequences().isEmpty()) {
            inference.put("stopSequences", o.stopSequences());
        }
        JsonObject config = inference.build();
        if (config.size() > 0) {
            b.put("inferenceConfig", config);
        }
        if (!request.tools().isEmpty()) {
            var tools = new ArrayList<JsonValue>(request.tools().size());
            for (ToolSpec t : request.tools()) {
                tools.add(JsonObject.builder()
                        .put("toolSpec", JsonObject.builder()
                                .put("name", t.name())
                                .put("description", t.description())
                                .put("inputSchema", JsonObject.builder().put("json", t.parameters()).build())
                                .build())
                        .build());
            }
            // No toolChoice: "auto" is the default, and some models refuse the field.
            b.put("toolConfig", JsonObject.builder().put("tools", new JsonArray(tools)).build());
        }
        return b.build().toJson();
    }

    /**
     * The conversation as Converse wants it: system text apart, user and assistant turns
     * alternating (consecutive messages of one role share a turn), each tool result a
     * {@code toolResult} block in the user turn after the assistant turn that asked for it, no blank
     * text blocks (the API refuses them). Images are {@code image} blocks (bytes base64) after the text of a user
     * message or inside a tool result's content; Converse fetches no URL and takes no audio.
     */
    private static JsonArray messages(List<Message> messages, List<JsonValue> system, ProviderMedia media) {
        var turns = new Turns();
        for (Message m : messages) {
            switch (m) {
                case Message.System s -> {
                    if (!s.text().isBlank()) {
                        system.add(text(s.text()));
                    }
                }
                case Message.User u -> {
                    if (u.media().isEmpty() || !u.text().isBlank()) {
                        turns.add("user", text(u.text()));
                    }
                    u.media().forEach(item -> turns.add("user", image(item, media)));
                }
                case Message.Assistant a -> {
                    var blocks = new ArrayList<JsonValue>(1 + a.toolCalls().size());
                    if (!a.text().isBlank()) {
                        blocks.add(text(a.text()));
                    }
                    for (ToolCall c : a.toolCalls()) {
                        blocks.add(JsonObject.builder()
                                .put("toolUse", JsonObject.builder()
                                        .put("toolUseId", c.id())
                                        .put("name", c.name())
                                        .put("input", ProviderJson.argumentsObject(c.arguments()))
                                        .build())
                                .build());
                    }
                    if (!blocks.isEmpty()) {
                        turns.addAll("assistant", blocks);
                    }
                }
                case Message.ToolResult r -> {
                    // A blank text block is refused even inside a tool result.
                    String content = r.content().isBlank() ? "(no output)" : r.content();
                    var result = JsonObject.builder()
                            .put("toolUseId", r.callId())
                            .put("content", new JsonArray(resultContent(content, r.media(), media)));
                    if (r.error()) {
                        result.put("status", "error");
                    }
                    turns.add("user", JsonObject.builder().put("toolResult", result.build()).build());
                }
            }
        }
        return turns.toJson("content");
    }

    private static List<JsonValue> resultContent(String text, List<Media> items, ProviderMedia media) {
        var content = new ArrayList<JsonValue>(1 + items.size());
        content.add(text(text));
        items.forEach(item -> content.add(image(item, media)));
        return content;
    }

    private static JsonObject image(Media item, ProviderMedia media) {
        String base64 = item instanceof Media.Image i ? i.base64() : null;
        if (base64 == null) {
            return text(media.unsupported(item, item instanceof Media.Image ? "image URLs" : "audio"));
        }
        return JsonObject.builder()
                .put("image", JsonObject.builder()
                        .put("format", item.mimeType().substring("image/".length()))
                        .put("source", JsonObject.builder().put("bytes", base64).build())
                        .build())
                .build();
    }

    private static JsonObject text(String text) {
        return JsonObject.builder().put("text", text).build();
    }

    // ------------------------------------------------------------------------------- the reply

    static FinishReason stopReason(String reason) {
        return switch (reason) {
            case "end_turn" -> FinishReason.STOP;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "stop_sequence" -> FinishReason.STOP_SEQUENCE;
            case "guardrail_intervened", "content_filtered" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /** Converse counts cache reads and writes apart from {@code inputTokens}; the SPI's input includes them. */
    static Usage usage(JsonObject u) {
        long input = Math.max(0, u.getLong("inputTokens").orElse(0L));
        long read = Math.max(0, u.getLong("cacheReadInputTokens").orElse(0L));
        long write = Math.max(0, u.getLong("cacheWriteInputTokens").orElse(0L));
        return new Usage(input + read + write, Math.max(0, u.getLong("outputTokens").orElse(0L)), read, write, 0);
    }

    @Override
    public ChatResponse response(String body, @Nullable String requestId) {
        JsonObject json = http.object(body, requestId, "the reply");
        JsonObject message = json.getObject("output")
                .flatMap(o -> o.getObject("message"))
                .orElseThrow(() -> http.invalid("the reply has no output.message: "
                        + (body.length() <= 200 ? body : body.substring(0, 200) + "..."), requestId, null));
        var text = new StringBuilder();
        var calls = new ArrayList<ToolCall>();
        for (JsonValue v : message.getArray("content").orElse(JsonArray.EMPTY).items()) {
            if (v instanceof JsonObject block) {
                block.getString("text").ifPresent(text::append);
                block.getObject("toolUse")
                        .ifPresent(use -> calls.add(new ToolCall(
                                use.getString("toolUseId")
                                        .filter(id -> !id.isEmpty())
                                        .orElse("tooluse_" + calls.size()),
                                use.getString("name").orElse(""),
                                use.getObject("input").orElse(JsonObject.EMPTY).toJson())));
                // reasoningContent, citations, images: not part of the SPI's reply
            }
        }
        FinishReason reason = json.getString("stopReason").map(BedrockCodec::stopReason).orElse(FinishReason.STOP);
        Usage usage = json.getObject("usage").map(BedrockCodec::usage).orElse(Usage.ZERO);
        return new ChatResponse(new Message.Assistant(text.toString(), ReplyAssembler.withDistinctIds(calls)), usage,
                reason);
    }

    /**
     * Reads the messages of one {@code ConverseStream} reply: {@code messageStart},
     * {@code contentBlockStart} (a tool call's id and name), {@code contentBlockDelta} (text, or a
     * piece of a tool call's JSON input), {@code contentBlockStop}, {@code messageStop} (the stop
     * reason), then {@code metadata} (usage), which ends the reply; a body that ends cleanly after
     * {@code messageStop} without it ends the reply too. An exception message is the service's error.
     */
    private final class StreamReader implements ReplyDecoder.Reader<EventStreamDecoder.Message> {
        private final @Nullable String requestId;
        /** The tool call each content block index holds, or -1 for a block that is none. */
        private final Map<Long, Integer> blocks = new HashMap<>();
        private final ToolCallNumbers calls = new ToolCallNumbers();
        private @Nullable FinishReason stop;

        StreamReader(@Nullable String requestId) {
            this.requestId = requestId;
        }

        @Override
        public void read(EventStreamDecoder.Message message, ReplyDecoder<EventStreamDecoder.Message> reply) {
            String kind = message.header(":message-type");
            switch (kind) {
                case "event" -> event(message, reply);
                case "exception" -> throw streamError(message.header(":exception-type"), message.text(), reply);
                case "error" -> throw streamError(message.header(":error-code"),
                        "{\"message\":" + JsonValue.of(message.header(":error-message")).toJson() + "}", reply);
                default -> throw reply.invalid("an event-stream message of unknown type '" + kind + "'");
            }
        }

        private void event(EventStreamDecoder.Message message, ReplyDecoder<EventStreamDecoder.Message> reply) {
            String type = message.header(":event-type");
            switch (type) {
                case "messageStart" -> reply.started();
                case "contentBlockStart" -> {
                    JsonObject data = reply.json(message.text(), "a contentBlockStart event");
                    long index = index(data, reply);
                    JsonObject use = data.getObject("start").flatMap(s -> s.getObject("toolUse")).orElse(null);
                    if (use == null) {
                        blocks.put(index, -1);
                        return;
                    }
                    int number = calls.take(index <= Integer.MAX_VALUE ? (int) index : -1);
                    blocks.put(index, number);
                    reply.toolCall(number, use.getString("toolUseId").orElse(null), use.getString("name").orElse(""),
                            "");
                }
                case "contentBlockDelta" -> {
                    JsonObject data = reply.json(message.text(), "a contentBlockDelta event");
                    JsonObject delta = data.getObject("delta").orElse(JsonObject.EMPTY);
                    delta.getString("text").ifPresent(reply::text);
                    JsonObject use = delta.getObject("toolUse").orElse(null);
                    if (use != null) {
                        long index = index(data, reply);
                        Integer number = blocks.get(index);
                        if (number == null || number < 0) {
                            throw reply.invalid("tool input arrived for content block " + index
                                    + ", which started no tool use");
                        }
                        reply.toolCall(number, null, null, use.getString("input").orElse(""));
                    }
                    // reasoningContent, citations: not part of the SPI's reply
                }
                case "messageStop" -> {
                    JsonObject data = reply.json(message.text(), "a messageStop event");
                    stop = data.getString("stopReason").map(BedrockCodec::stopReason).orElse(FinishReason.STOP);
                }
                case "metadata" -> {
                    if (stop == null) {
                        throw reply.invalid("metadata arrived before messageStop");
                    }
                    JsonObject data = reply.json(message.text(), "a metadata event");
                    data.getObject("usage").ifPresent(u -> reply.usage(usage(u)));
                    reply.finish(stop);
                }
                default -> {
                    // contentBlockStop, and event types added after this client was written
                }
            }
        }

        @Override
        public void end(ReplyDecoder<EventStreamDecoder.Message> reply) {
            FinishReason reason = stop;
            if (reason != null) {
                reply.finish(reason);
            }
        }

        private long index(JsonObject data, ReplyDecoder<EventStreamDecoder.Message> reply) {
            long index = data.getLong("contentBlockIndex").orElse(-1L);
            if (index < 0 || index > 10_000) {
                throw reply.invalid("a content block has an impossible index " + data.get("contentBlockIndex"));
            }
            return index;
        }

        /** An exception the service sent inside the reply: retryable when its kind may pass. */
        private ModelException streamError(String type, String payload,
                ReplyDecoder<EventStreamDecoder.Message> reply) {
            String detail;
            try {
                detail = reply.json(payload, "an exception").getString("message").orElse(payload);
            } catch (ModelException notJson) {
                detail = payload;
            }
            if (detail.length() > 2_000) {
                detail = detail.substring(0, 2_000) + "...";
            }
            String name = type.isEmpty() ? "an exception" : type;
            return new ModelException(http.scrub("Bedrock sent " + name + " during the reply: " + detail), 200,
                    requestId, RETRYABLE.contains(type), null);
        }
    }
}
