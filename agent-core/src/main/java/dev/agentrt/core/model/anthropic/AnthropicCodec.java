package dev.agentrt.core.model.anthropic;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.internal.http.SseEvent;
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
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Messages API wire format: request bodies, whole replies, and the reading of a streamed
 * reply's named events. Immutable and thread-safe; each stream reader is confined to one reply.
 */
final class AnthropicCodec implements ProviderCodec {
    private static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;
    private static final int MAX_OPEN_THOUGHTS = 64;
    private static final Set<String> KNOWN_EVENTS = Set.of("message_start", "content_block_start",
            "content_block_delta", "content_block_stop", "message_delta", "message_stop", "error");
    /** The provider name on the reasoning blocks this codec makes and sends back. */
    static final String PROVIDER = "anthropic";

    private final ProviderHttp http;
    private final String model;
    private final ProviderMedia media;
    private final ChatOptions defaults;
    private final @Nullable JsonObject cacheControl;
    private final AnthropicChatModel.Thinking thinking;

    AnthropicCodec(ProviderHttp http, HostedSettings settings, AnthropicChatModel.PromptCaching caching,
            AnthropicChatModel.Thinking thinking) {
        this.http = http;
        this.thinking = thinking;
        this.model = settings.model();
        this.media = settings.media("Anthropic");
        this.defaults = settings.defaults();
        this.cacheControl = switch (caching) {
            case OFF -> null;
            case FIVE_MINUTES -> JsonObject.builder().put("type", "ephemeral").build();
            case ONE_HOUR -> JsonObject.builder().put("type", "ephemeral").put("ttl", "1h").build();
        };
    }

    @Override
    public ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return ReplyDecoder.events(http, requestId, MAX_EVENT_BYTES, "message_stop", new StreamReader());
    }

    // ------------------------------------------------------------------------------- the request

    @Override
    public String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder().put("model", model);
        b.put("max_tokens", thinking.maxTokens(o.maxTokens()));
        if (thinking.on()) {
            b.put("thinking", JsonObject.builder()
                    .put("type", "enabled")
                    .put("budget_tokens", thinking.budgetTokens())
                    .build());
        }
        var system = new StringBuilder();
        JsonArray messages = messages(request.messages(), system, cacheControl, media);
        if (!system.isEmpty()) {
            if (cacheControl != null) {
                // A breakpoint after the system prompt: the tools and the system prompt are cached.
                b.put("system", new JsonArray(List.of(JsonObject.builder()
                        .put("type", "text")
                        .put("text", system.toString())
                        .put("cache_control", cacheControl)
                        .build())));
            } else {
                b.put("system", system.toString());
            }
        }
        b.put("messages", messages);
        if (!request.tools().isEmpty()) {
            var tools = new ArrayList<JsonValue>(request.tools().size());
            for (int i = 0; i < request.tools().size(); i++) {
                ToolSpec t = request.tools().get(i);
                var tool = JsonObject.builder()
                        .put("name", t.name())
                        .put("description", t.description())
                        .put("input_schema", t.parameters());
                if (cacheControl != null && i == request.tools().size() - 1) {
                    // A breakpoint after the last tool: the tool definitions are cached.
                    tool.put("cache_control", cacheControl);
                }
                tools.add(tool.build());
            }
            b.put("tools", new JsonArray(tools));
        }
        Double temperature = o.temperature();
        if (temperature != null) {
            b.put("temperature", temperature);
        }
        Double topP = o.topP();
        if (topP != null) {
            b.put("top_p", topP);
        }
        List<String> stop = o.stopSequences();
        if (!stop.isEmpty()) {
            b.put("stop_sequences", stop);
        }
        ResponseFormat format = o.responseFormat();
        if (format != null) {
            b.put("output_config", JsonObject.builder()
                    .put("format", JsonObject.builder()
                            .put("type", "json_schema")
                            .put("schema", format.schema())
                            .build())
                    .build());
        }
        if (stream) {
            b.put("stream", true);
        }
        return b.build().toJson();
    }

    /**
     * The conversation as the Messages API wants it: system text apart, user and assistant turns
     * alternating, each tool result a {@code tool_result} block in the user turn right after the
     * assistant turn that asked for it (consecutive results share one turn), no empty text blocks.
     *
     * <p>With {@code cacheControl}, two cache breakpoints move forward with the conversation: on
     * the last block of the last turn (this request's whole prefix is written to the cache, for
     * the next turn to read) and on the last block of the user turn before it (the prefix the
     * previous request wrote, read now). With the tools' and the system prompt's, that is at most
     * the API's four.
     */
    private static JsonArray messages(List<Message> messages, StringBuilder system,
            @Nullable JsonObject cacheControl, ProviderMedia media) {
        var turns = new Turns();
        for (Message m : messages) {
            switch (m) {
                case Message.System s -> {
                    if (!s.text().isBlank()) {
                        if (!system.isEmpty()) {
                            system.append("\n\n");
                        }
                        system.append(s.text());
                    }
                }
                case Message.User u -> {
                    if (u.media().isEmpty()) {
                        turns.add("user", textBlock(u.text()));
                    } else {
                        var blocks = new ArrayList<JsonValue>();
                        if (!u.text().isBlank()) {
                            blocks.add(textBlock(u.text()));
                        }
                        u.media().forEach(item -> blocks.add(mediaBlock(item, media)));
                        turns.addAll("user", blocks);
                    }
                }
                case Message.Assistant a -> {
                    var blocks = new ArrayList<JsonValue>();
                    // Thinking first, unchanged, as the model wrote it: the API checks the signatures.
                    for (Reasoning r : a.reasoningFrom(PROVIDER)) {
                        blocks.add(reasoningBlock(r));
                    }
                    if (!a.text().isBlank()) {
                        blocks.add(textBlock(a.text()));
                    }
                    for (ToolCall c : a.toolCalls()) {
                        blocks.add(JsonObject.builder()
                                .put("type", "tool_use")
                                .put("id", c.id())
                                .put("name", c.name())
                                .put("input", ProviderJson.argumentsObject(c.arguments()))
                                .build());
                    }
                    turns.addAll("assistant", blocks);
                }
                case Message.ToolResult r -> {
                    var block = JsonObject.builder()
                            .put("type", "tool_result")
                            .put("tool_use_id", r.callId());
                    if (r.media().isEmpty()) {
                        block.put("content", r.content());
                    } else {
                        var content = new ArrayList<JsonValue>();
                        if (!r.content().isBlank()) {
                            content.add(textBlock(r.content()));
                        }
                        r.media().forEach(item -> content.add(mediaBlock(item, media)));
                        block.put("content", new JsonArray(content));
                    }
                    if (r.error()) {
                        block.put("is_error", true);
                    }
                    turns.add("user", block.build());
                }
            }
        }
        List<Turns.Turn> list = turns.list();
        if (cacheControl != null && !list.isEmpty()) {
            int last = list.size() - 1;
            markLastBlock(list.get(last), cacheControl);
            for (int i = last - 1; i >= 0; i--) {
                if (list.get(i).role().equals("user")) {
                    markLastBlock(list.get(i), cacheControl);
                    break;
                }
            }
        }
        return turns.toJson("content");
    }

    /** A breakpoint on the turn's last block that may carry one: thinking blocks cannot. */
    private static void markLastBlock(Turns.Turn turn, JsonObject cacheControl) {
        List<JsonValue> blocks = turn.items();
        for (int i = blocks.size() - 1; i >= 0; i--) {
            if (blocks.get(i) instanceof JsonObject block && !isThinking(block)) {
                blocks.set(i, JsonObject.builder().putAll(block).put("cache_control", cacheControl).build());
                return;
            }
        }
    }

    private static boolean isThinking(JsonObject block) {
        String type = block.getString("type").orElse("");
        return type.equals("thinking") || type.equals("redacted_thinking");
    }

    private static JsonObject reasoningBlock(Reasoning r) {
        String encrypted = r.encrypted();
        if (encrypted != null) {
            return JsonObject.builder().put("type", "redacted_thinking").put("data", encrypted).build();
        }
        var block = JsonObject.builder().put("type", "thinking").put("thinking", r.text());
        String signature = r.signature();
        if (signature != null) {
            block.put("signature", signature);
        }
        return block.build();
    }

    /** A {@code thinking} or {@code redacted_thinking} block of a reply as a reasoning block, or null for another block. */
    private static @Nullable Reasoning reasoning(JsonObject block) {
        return switch (block.getString("type").orElse("")) {
            case "thinking" -> Reasoning.signed(PROVIDER, block.getString("thinking").orElse(""),
                    block.getString("signature").orElse(null));
            case "redacted_thinking" -> Reasoning.sealed(PROVIDER, block.getString("data").orElse(""));
            default -> null;
        };
    }

    /**
     * An image block, its source {@code base64} or {@code url}; the Messages API takes no audio, so a sound fails
     * the request or, when the builder asked, becomes a text block saying what was not sent.
     */
    private static JsonObject mediaBlock(Media item, ProviderMedia media) {
        if (!(item instanceof Media.Image image)) {
            return textBlock(media.unsupported(item, "audio"));
        }
        URI url = image.url();
        JsonObject source = url != null
                ? JsonObject.builder().put("type", "url").put("url", url.toString()).build()
                : JsonObject.builder()
                        .put("type", "base64")
                        .put("media_type", image.mimeType())
                        .put("data", String.valueOf(image.base64()))
                        .build();
        return JsonObject.builder().put("type", "image").put("source", source).build();
    }

    private static JsonObject textBlock(String text) {
        return JsonObject.builder().put("type", "text").put("text", text).build();
    }

    // ------------------------------------------------------------------------------- the reply

    static FinishReason stopReason(String reason) {
        return switch (reason) {
            case "end_turn" -> FinishReason.STOP;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "stop_sequence" -> FinishReason.STOP_SEQUENCE;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    @Override
    public ChatResponse response(String body, @Nullable String requestId) {
        JsonObject json = http.object(body, requestId, "the reply");
        if ("error".equals(json.getString("type").orElse(""))) {
            throw http.replyError("returned an error", json, requestId);
        }
        var text = new StringBuilder();
        var calls = new ArrayList<ToolCall>();
        var reasoning = new ArrayList<Reasoning>();
        JsonArray content = json.getArray("content").orElse(JsonArray.EMPTY);
        for (JsonValue v : content.items()) {
            if (v instanceof JsonObject block) {
                switch (block.getString("type").orElse("")) {
                    case "text" -> text.append(block.getString("text").orElse(""));
                    case "tool_use" -> calls.add(new ToolCall(
                            block.getString("id").filter(id -> !id.isEmpty()).orElse("toolu_" + calls.size()),
                            block.getString("name").orElse(""),
                            block.getObject("input").orElse(JsonObject.EMPTY).toJson()));
                    case "thinking", "redacted_thinking" -> reasoning.add(reasoning(block));
                    default -> {
                        // server tool blocks: not part of the SPI's reply
                    }
                }
            }
        }
        FinishReason reason = json.getString("stop_reason")
                .map(AnthropicCodec::stopReason)
                .orElse(FinishReason.STOP);
        var usage = new UsageState();
        json.getObject("usage").ifPresent(usage::update);
        return new ChatResponse(new Message.Assistant(text.toString(), ReplyAssembler.withDistinctIds(calls),
                reasoning), usage.usage(), reason, json.getString("id").orElse(null),
                json.getString("model").orElse(null));
    }

    /** Anthropic counts cache reads and writes apart from {@code input_tokens}; the SPI's input includes them. */
    private static final class UsageState {
        long input;
        long output;
        long cacheRead;
        long cacheWrite;

        void update(JsonObject u) {
            input = u.getLong("input_tokens").orElse(input);
            output = u.getLong("output_tokens").orElse(output);
            cacheRead = u.getLong("cache_read_input_tokens").orElse(cacheRead);
            cacheWrite = u.getLong("cache_creation_input_tokens").orElse(cacheWrite);
        }

        Usage usage() {
            long in = Math.max(0, input), read = Math.max(0, cacheRead), write = Math.max(0, cacheWrite);
            return new Usage(in + read + write, Math.max(0, output), read, write, 0);
        }
    }

    /** A thinking block being streamed: its text and signature grow with the deltas. */
    private static final class Thought {
        final StringBuilder text = new StringBuilder();
        final @Nullable String redacted;
        @Nullable
        String signature;

        Thought(JsonObject start) {
            boolean isRedacted = start.getString("type").orElse("").equals("redacted_thinking");
            this.redacted = isRedacted ? start.getString("data").orElse("") : null;
            this.signature = start.getString("signature").filter(sig -> !sig.isEmpty()).orElse(null);
            if (!isRedacted) {
                text.append(start.getString("thinking").orElse(""));
            }
        }

        Reasoning reasoning() {
            return redacted != null
                    ? Reasoning.sealed(PROVIDER, redacted)
                    : Reasoning.signed(PROVIDER, text.toString(), signature);
        }
    }

    /** Reads the events of one streamed reply, which ends at {@code message_stop}. */
    private static final class StreamReader implements ReplyDecoder.Reader<SseEvent> {
        private final UsageState usage = new UsageState();
        /**
         * The block each content block index (or, for a start without one, a key below zero) names
         * now: the number of its tool call, or -1 for a block that is no tool call of the reply.
         */
        private final Map<Long, Integer> blocks = new HashMap<>();
        /** Thinking blocks begun and not yet stopped, by content block key, in the order they began. */
        private final Map<Long, Thought> thoughts = new LinkedHashMap<>();
        /** A tool call keeps its block's index when that is free, else takes the next number. */
        private final ToolCallNumbers calls = new ToolCallNumbers();
        private long lastBlock;
        private long unindexedBlocks;
        private boolean anyBlock;
        private FinishReason finish = FinishReason.STOP;

        @Override
        public void read(SseEvent event, ReplyDecoder<SseEvent> reply) {
            String type = event.event();
            boolean named = !type.equals("message") && !type.isEmpty();
            if (named && !KNOWN_EVENTS.contains(type)) {
                return; // ping, content_block_stop, and event types added after this client was written
            }
            JsonObject data = reply.json(event.data(), "a stream event");
            if (!named) {
                type = data.getString("type").orElse("");
            }
            switch (type) {
                case "message_start" -> {
                    reply.started();
                    data.getObject("message")
                            .ifPresent(m -> reply.identified(m.getString("id").orElse(null),
                                    m.getString("model").orElse(null)));
                    data.getObject("message").flatMap(m -> m.getObject("usage")).ifPresent(u -> {
                        usage.update(u);
                        reply.usage(usage.usage());
                    });
                }
                case "content_block_start" -> {
                    long key = hasIndex(data) ? index(data, reply) : --unindexedBlocks;
                    lastBlock = key;
                    anyBlock = true;
                    blocks.put(key, -1);
                    JsonObject block = data.getObject("content_block").orElse(JsonObject.EMPTY);
                    switch (block.getString("type").orElse("")) {
                        case "tool_use" -> {
                            int number = calls.take(key >= 0 ? (int) key : -1);
                            blocks.put(key, number);
                            JsonObject input = block.getObject("input").orElse(JsonObject.EMPTY);
                            reply.toolCall(number, block.getString("id").orElse(null),
                                    block.getString("name").orElse(""), input.size() == 0 ? "" : input.toJson());
                        }
                        case "text" -> reply.text(block.getString("text").orElse(""));
                        case "thinking", "redacted_thinking" -> {
                            if (thoughts.size() >= MAX_OPEN_THOUGHTS) {
                                throw reply.invalid("more than " + MAX_OPEN_THOUGHTS + " thinking blocks are open");
                            }
                            var thought = new Thought(block);
                            flush(thoughts.put(key, thought), reply);
                            reply.reasoningText(thought.text.toString());
                        }
                        default -> {
                            // server tools: not part of the SPI's reply
                        }
                    }
                }
                case "content_block_stop" -> {
                    if (!thoughts.isEmpty()) {
                        flush(thoughts.remove(hasIndex(data) ? (long) index(data, reply) : lastBlock), reply);
                    }
                }
                case "content_block_delta" -> {
                    JsonObject delta = data.getObject("delta").orElse(JsonObject.EMPTY);
                    switch (delta.getString("type").orElse("")) {
                        case "text_delta" -> reply.text(delta.getString("text").orElse(""));
                        case "input_json_delta" -> {
                            int number = toolCall(data, reply);
                            if (number >= 0) {
                                reply.toolCall(number, null, null, delta.getString("partial_json").orElse(""));
                            }
                        }
                        case "thinking_delta" -> {
                            String piece = delta.getString("thinking").orElse("");
                            thought(data, reply).text.append(piece);
                            reply.reasoningText(piece);
                        }
                        case "signature_delta" -> {
                            Thought t = thought(data, reply);
                            t.signature = (t.signature == null ? "" : t.signature)
                                    + delta.getString("signature").orElse("");
                        }
                        default -> {
                            // citations_delta and delta types added after this client was written
                        }
                    }
                }
                case "message_delta" -> {
                    data.getObject("delta")
                            .flatMap(d -> d.getString("stop_reason"))
                            .ifPresent(r -> finish = stopReason(r));
                    data.getObject("usage").ifPresent(u -> {
                        usage.update(u);
                        reply.usage(usage.usage());
                    });
                }
                case "message_stop" -> {
                    if (!reply.hasStarted()) {
                        throw reply.invalid("message_stop arrived before message_start");
                    }
                    // Blocks a gateway left unstopped still belong to the reply.
                    for (Thought t : thoughts.values()) {
                        flush(t, reply);
                    }
                    thoughts.clear();
                    reply.finish(finish);
                }
                case "error" -> throw reply.providerError("sent an error during the reply", data);
                default -> {
                    // content_block_stop and event types added after this client was written
                }
            }
        }

        private static void flush(@Nullable Thought thought, ReplyDecoder<SseEvent> reply) {
            if (thought != null) {
                reply.reasoning(thought.reasoning());
            }
        }

        /** The thinking block a delta belongs to (its index's, else the one that began last). */
        private Thought thought(JsonObject data, ReplyDecoder<SseEvent> reply) {
            long key = hasIndex(data) ? index(data, reply) : lastBlock;
            Thought t = thoughts.get(key);
            if (t == null) {
                throw reply.invalid("thinking arrived for content block " + key + ", which is no open thinking block");
            }
            return t;
        }

        private static boolean hasIndex(JsonObject data) {
            JsonValue index = data.get("index");
            return index != null && !(index instanceof JsonValue.JsonNull);
        }

        private static int index(JsonObject data, ReplyDecoder<SseEvent> reply) {
            long index = data.getLong("index").orElse(-1L);
            if (index < 0 || index > 10_000) {
                throw reply.invalid("a content block has an impossible index " + data.get("index"));
            }
            return (int) index;
        }

        /**
         * The tool call whose arguments a delta carries (the block its index names, else the block
         * that started last), or -1 for a block that is no tool call of the reply (a server tool's).
         * Arguments for a block that never started cannot be placed: an error, not a silent loss.
         */
        private int toolCall(JsonObject data, ReplyDecoder<SseEvent> reply) {
            if (!hasIndex(data) && !anyBlock) {
                throw reply.invalid("tool call arguments arrived before any content block started");
            }
            long key = hasIndex(data) ? index(data, reply) : lastBlock;
            Integer number = blocks.get(key);
            if (number == null) {
                throw reply.invalid("tool call arguments arrived for content block " + key + ", which never started");
            }
            return number;
        }
    }
}
