package dev.agentrt.core.model.anthropic;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.http.HostedSettings;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.internal.http.SseDecoder;
import dev.agentrt.core.internal.http.SseEvent;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.HostedChatModel;
import dev.agentrt.core.model.HostedModelBuilder;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A client for Anthropic's Messages API (Claude).
 *
 * <pre>{@code
 * ChatModel claude = AnthropicChatModel.builder().model("claude-sonnet-4-5").build(); // key from ANTHROPIC_API_KEY
 * }</pre>
 *
 * <p>Replies stream as server-sent events ({@code message_start}, {@code content_block_start},
 * {@code content_block_delta} with {@code text_delta} or {@code input_json_delta},
 * {@code content_block_stop}, {@code message_delta}, {@code message_stop}; {@code ping} anywhere;
 * unknown events ignored) over the JDK {@code HttpClient}, asynchronously. A reply without
 * {@code message_stop} is an error, and so is an {@code error} event after the HTTP 200, or
 * arguments for a content block that never started. Each {@code content_block_start} begins a new
 * block even where a gateway reuses an index; a delta without an index belongs to the block that
 * started last.
 * System messages become the request's {@code system} text; consecutive tool results become one
 * user turn, as the API requires. Structured output uses {@code output_config.format} (turn it off
 * with {@code nativeStructuredOutput(false)} for models without it; the agent then uses a
 * final-answer tool). Thread-safe; the API key is sent only in the {@code x-api-key} header and never
 * appears in a message, an exception or {@link #toString()}.
 */
public final class AnthropicChatModel extends HostedChatModel {
    /** The Anthropic API; {@code ANTHROPIC_BASE_URL} overrides it when no base URL is set. */
    public static final String DEFAULT_BASE_URL = "https://api.anthropic.com";
    /** The API version header sent with every request. */
    public static final String API_VERSION = "2023-06-01";
    /** The output limit when neither the builder nor the request sets one (the API requires a value). */
    public static final int DEFAULT_MAX_TOKENS = 8192;

    private static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;
    private static final Set<String> KNOWN_EVENTS = Set.of("message_start", "content_block_start",
            "content_block_delta", "message_delta", "message_stop", "error");

    private final Builder settings;

    private AnthropicChatModel(Builder snapshot, HostedSettings s) {
        super(s, "/v1/messages", "text/event-stream",
                transport("Anthropic", s, "x-api-key", "", Map.of("anthropic-version", API_VERSION)));
        this.settings = snapshot;
        if (s.apiKey() == null && "api.anthropic.com".equalsIgnoreCase(s.baseUrl().getHost())) {
            throw new IllegalArgumentException(
                    "the Anthropic API needs an API key: set apiKey(...) or ANTHROPIC_API_KEY");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        return new Builder().copyOf(settings);
    }

    @Override
    protected ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return new StreamDecoder(requestId);
    }

    @Override
    protected ChatResponse response(String body, @Nullable String requestId) {
        return parseResponse(body, requestId);
    }

    // ------------------------------------------------------------------------------- the request

    @Override
    protected String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder().put("model", modelName());
        Integer maxTokens = o.maxTokens();
        b.put("max_tokens", maxTokens != null ? maxTokens : DEFAULT_MAX_TOKENS);
        var system = new StringBuilder();
        JsonArray messages = messages(request.messages(), system);
        if (!system.isEmpty()) {
            b.put("system", system.toString());
        }
        b.put("messages", messages);
        if (!request.tools().isEmpty()) {
            var tools = new ArrayList<JsonValue>(request.tools().size());
            for (ToolSpec t : request.tools()) {
                tools.add(JsonObject.builder()
                        .put("name", t.name())
                        .put("description", t.description())
                        .put("input_schema", t.parameters())
                        .build());
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
     */
    private static JsonArray messages(List<Message> messages, StringBuilder system) {
        var turns = new ArrayList<Turn>(messages.size());
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
                case Message.User u -> userTurn(turns).blocks.add(textBlock(u.text()));
                case Message.Assistant a -> {
                    var turn = new Turn("assistant");
                    if (!a.text().isBlank()) {
                        turn.blocks.add(textBlock(a.text()));
                    }
                    for (ToolCall c : a.toolCalls()) {
                        turn.blocks.add(JsonObject.builder()
                                .put("type", "tool_use")
                                .put("id", c.id())
                                .put("name", c.name())
                                .put("input", ProviderHttp.argumentsObject(c.arguments()))
                                .build());
                    }
                    if (!turn.blocks.isEmpty()) {
                        turns.add(turn);
                    }
                }
                case Message.ToolResult r -> {
                    var block = JsonObject.builder()
                            .put("type", "tool_result")
                            .put("tool_use_id", r.callId())
                            .put("content", r.content());
                    if (r.error()) {
                        block.put("is_error", true);
                    }
                    userTurn(turns).blocks.add(block.build());
                }
            }
        }
        var out = new ArrayList<JsonValue>(turns.size());
        for (Turn t : turns) {
            out.add(JsonObject.builder().put("role", t.role).put("content", new JsonArray(t.blocks)).build());
        }
        return new JsonArray(out);
    }

    private static Turn userTurn(List<Turn> turns) {
        if (!turns.isEmpty() && turns.getLast().role.equals("user")) {
            return turns.getLast();
        }
        var t = new Turn("user");
        turns.add(t);
        return t;
    }

    private static JsonObject textBlock(String text) {
        return JsonObject.builder().put("type", "text").put("text", text).build();
    }

    private static final class Turn {
        final String role;
        final List<JsonValue> blocks = new ArrayList<>(2);

        Turn(String role) {
            this.role = role;
        }
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

    private ChatResponse parseResponse(String body, @Nullable String requestId) {
        JsonObject json = http.object(body, requestId, "the reply");
        if ("error".equals(json.getString("type").orElse(""))) {
            throw http.replyError("returned an error", json, requestId);
        }
        var text = new StringBuilder();
        var calls = new ArrayList<ToolCall>();
        JsonArray content = json.getArray("content").orElse(JsonArray.EMPTY);
        for (JsonValue v : content.items()) {
            if (v instanceof JsonObject block) {
                switch (block.getString("type").orElse("")) {
                    case "text" -> text.append(block.getString("text").orElse(""));
                    case "tool_use" -> calls.add(new ToolCall(
                            block.getString("id").filter(id -> !id.isEmpty()).orElse("toolu_" + calls.size()),
                            block.getString("name").orElse(""),
                            block.getObject("input").orElse(JsonObject.EMPTY).toJson()));
                    default -> {
                        // thinking, server tool blocks: not part of the SPI's reply
                    }
                }
            }
        }
        FinishReason reason = json.getString("stop_reason")
                .map(AnthropicChatModel::stopReason)
                .orElse(FinishReason.STOP);
        var usage = new UsageState();
        json.getObject("usage").ifPresent(usage::update);
        return new ChatResponse(new Message.Assistant(text.toString(), ReplyAssembler.withDistinctIds(calls)),
                usage.usage(), reason);
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

    /** Decodes one streamed reply, ending at {@code message_stop}. */
    private final class StreamDecoder implements ProviderHttp.StreamDecoder<ChatEvent> {
        private final SseDecoder sse = new SseDecoder(MAX_EVENT_BYTES);
        private final @Nullable String requestId;
        private final UsageState usage = new UsageState();
        /**
         * The block each content block index (or, for a start without one, a key below zero) names
         * now: the number of its tool call, or -1 for a block that is no tool call of the reply.
         */
        private final Map<Long, Integer> blocks = new HashMap<>();
        /** Numbers in use: a tool call keeps its block's index when that is free, else takes the next one. */
        private final BitSet calls = new BitSet();
        private long lastBlock;
        private long unindexedBlocks;
        private boolean anyBlock;
        private FinishReason finish = FinishReason.STOP;
        private boolean started;
        private boolean stopped;

        StreamDecoder(@Nullable String requestId) {
            this.requestId = requestId;
        }

        @Override
        public void feed(ByteBuffer buffer, Consumer<ChatEvent> out) {
            try {
                sse.feed(buffer, event -> onEvent(event, out));
            } catch (SseDecoder.TooLargeException e) {
                throw http.broken(e.getMessage(), requestId, e);
            }
        }

        @Override
        public void end(Consumer<ChatEvent> out) {
            if (!stopped) {
                throw http.broken(started
                        ? "the stream ended before message_stop; the reply is incomplete"
                        : "the stream ended without any event", requestId, null);
            }
        }

        private void onEvent(SseEvent event, Consumer<ChatEvent> out) {
            if (stopped) {
                return;
            }
            String type = event.event();
            boolean named = !type.equals("message") && !type.isEmpty();
            if (named && !KNOWN_EVENTS.contains(type)) {
                return; // ping, content_block_stop, and event types added after this client was written
            }
            JsonObject data = http.object(event.data(), requestId, "a stream event");
            if (!named) {
                type = data.getString("type").orElse("");
            }
            switch (type) {
                case "message_start" -> {
                    started = true;
                    data.getObject("message").flatMap(m -> m.getObject("usage")).ifPresent(u -> {
                        usage.update(u);
                        out.accept(new ChatEvent.UsageReport(usage.usage()));
                    });
                }
                case "content_block_start" -> {
                    long key = hasIndex(data) ? index(data) : --unindexedBlocks;
                    lastBlock = key;
                    anyBlock = true;
                    blocks.put(key, -1);
                    JsonObject block = data.getObject("content_block").orElse(JsonObject.EMPTY);
                    switch (block.getString("type").orElse("")) {
                        case "tool_use" -> {
                            int number = key >= 0 && !calls.get((int) key) ? (int) key : calls.length();
                            calls.set(number);
                            blocks.put(key, number);
                            JsonObject input = block.getObject("input").orElse(JsonObject.EMPTY);
                            out.accept(new ChatEvent.ToolCallDelta(number, block.getString("id").orElse(null),
                                    block.getString("name").orElse(""), input.size() == 0 ? "" : input.toJson()));
                        }
                        case "text" -> {
                            String text = block.getString("text").orElse("");
                            if (!text.isEmpty()) {
                                out.accept(ChatEvent.text(text));
                            }
                        }
                        default -> {
                            // thinking, redacted_thinking, server tools: not part of the SPI's reply
                        }
                    }
                }
                case "content_block_delta" -> {
                    JsonObject delta = data.getObject("delta").orElse(JsonObject.EMPTY);
                    switch (delta.getString("type").orElse("")) {
                        case "text_delta" -> {
                            String text = delta.getString("text").orElse("");
                            if (!text.isEmpty()) {
                                out.accept(ChatEvent.text(text));
                            }
                        }
                        case "input_json_delta" -> {
                            int number = toolCall(data);
                            if (number >= 0) {
                                out.accept(new ChatEvent.ToolCallDelta(number, null, null,
                                        delta.getString("partial_json").orElse("")));
                            }
                        }
                        default -> {
                            // thinking_delta, signature_delta, citations_delta
                        }
                    }
                }
                case "message_delta" -> {
                    data.getObject("delta")
                            .flatMap(d -> d.getString("stop_reason"))
                            .ifPresent(r -> finish = stopReason(r));
                    data.getObject("usage").ifPresent(u -> {
                        usage.update(u);
                        out.accept(new ChatEvent.UsageReport(usage.usage()));
                    });
                }
                case "message_stop" -> {
                    if (!started) {
                        throw http.invalid("message_stop arrived before message_start", requestId, null);
                    }
                    stopped = true;
                    out.accept(ChatEvent.finish(finish));
                }
                case "error" -> throw http.replyError("sent an error during the reply", data, requestId);
                default -> {
                    // content_block_stop and event types added after this client was written
                }
            }
        }

        private static boolean hasIndex(JsonObject data) {
            JsonValue index = data.get("index");
            return index != null && !(index instanceof JsonValue.JsonNull);
        }

        private int index(JsonObject data) {
            long index = data.getLong("index").orElse(-1L);
            if (index < 0 || index > 10_000) {
                throw http.invalid("a content block has an impossible index " + data.get("index"), requestId, null);
            }
            return (int) index;
        }

        /**
         * The tool call whose arguments a delta carries (the block its index names, else the block
         * that started last), or -1 for a block that is no tool call of the reply (a server tool's).
         * Arguments for a block that never started cannot be placed: an error, not a silent loss.
         */
        private int toolCall(JsonObject data) {
            if (!hasIndex(data) && !anyBlock) {
                throw http.invalid("tool call arguments arrived before any content block started", requestId, null);
            }
            long key = hasIndex(data) ? index(data) : lastBlock;
            Integer number = blocks.get(key);
            if (number == null) {
                throw http.invalid("tool call arguments arrived for content block " + key + ", which never started",
                        requestId, null);
            }
            return number;
        }

    }

    /** Builds an {@link AnthropicChatModel}; {@code model} is required. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        public AnthropicChatModel build() {
            HostedSettings s = settings("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", DEFAULT_BASE_URL,
                    "claude-sonnet-4-5");
            return new AnthropicChatModel(new Builder().copyOf(this), s);
        }

        private Builder copyOf(Builder other) {
            return from(other);
        }
    }
}
