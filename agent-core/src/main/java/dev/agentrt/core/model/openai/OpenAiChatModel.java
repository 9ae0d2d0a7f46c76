package dev.agentrt.core.model.openai;

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
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A client for the OpenAI Chat Completions API, and through {@code baseUrl} for every server that
 * speaks it: Ollama ({@code http://localhost:11434/v1}), vLLM, llama.cpp's server, LM Studio.
 *
 * <pre>{@code
 * ChatModel gpt = OpenAiChatModel.builder().model("gpt-4.1-mini").build();   // key from OPENAI_API_KEY
 * ChatModel local = OpenAiChatModel.builder()
 *         .baseUrl("http://localhost:11434/v1").model("qwen3:4b").build();   // no key needed
 * }</pre>
 *
 * <p>Replies stream as server-sent events over the JDK {@code HttpClient} (asynchronous; no thread
 * waits for the network); tool-call argument fragments arrive per call {@code index} and are
 * joined by the caller's assembler. Servers that reuse an index for a second call (with a new id,
 * or a new name after the first call's arguments) or send none get one index per call all the
 * same. {@link #call} sends a non-streamed request. Structured output uses {@code response_format}
 * with a strict JSON Schema. Thread-safe: one instance serves any number of concurrent requests.
 * The API key is sent only in the {@code Authorization} header and never appears in a message, an
 * exception or {@link #toString()}.
 */
public final class OpenAiChatModel extends HostedChatModel {
    /** The OpenAI API; {@code OPENAI_BASE_URL} overrides it when no base URL is set. */
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

    private final Builder settings;
    private final boolean officialApi;

    private OpenAiChatModel(Builder snapshot, HostedSettings s) {
        super(s, "/chat/completions", "text/event-stream", transport(
                "OpenAI-compatible server at " + s.baseUrl().getHost(), s, "Authorization", "Bearer ", Map.of()));
        this.settings = snapshot;
        this.officialApi = isOfficial(s);
        if (s.apiKey() == null && officialApi) {
            throw new IllegalArgumentException("the OpenAI API needs an API key: set apiKey(...) or OPENAI_API_KEY");
        }
    }

    private static boolean isOfficial(HostedSettings s) {
        return "api.openai.com".equalsIgnoreCase(s.baseUrl().getHost());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this model's settings, for a variant. */
    public Builder toBuilder() {
        return new Builder().copyOf(settings);
    }

    // ------------------------------------------------------------------------------- the request

    @Override
    protected String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder().put("model", modelName()).put("messages", messages(request.messages()));
        if (!request.tools().isEmpty()) {
            b.put("tools", functionTools(request.tools()));
        }
        Integer maxTokens = o.maxTokens();
        if (maxTokens != null) {
            // OpenAI's reasoning models refuse max_tokens; the servers that mimic the API know only max_tokens.
            b.put(officialApi ? "max_completion_tokens" : "max_tokens", maxTokens);
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
            b.put("stop", stop);
        }
        ResponseFormat format = o.responseFormat();
        if (format != null) {
            b.put("response_format", JsonObject.builder()
                    .put("type", "json_schema")
                    .put("json_schema", JsonObject.builder()
                            .put("name", format.name())
                            .put("schema", format.schema())
                            .put("strict", true)
                            .build())
                    .build());
        }
        if (stream) {
            b.put("stream", true).put("stream_options", JsonObject.builder().put("include_usage", true).build());
        }
        return b.build().toJson();
    }

    private static JsonArray messages(List<Message> messages) {
        var out = new ArrayList<JsonValue>(messages.size());
        for (Message m : messages) {
            out.add(switch (m) {
                case Message.System s -> role("system").put("content", s.text()).build();
                case Message.User u -> role("user").put("content", u.text()).build();
                case Message.Assistant a -> {
                    var msg = role("assistant");
                    if (a.text().isEmpty() && a.hasToolCalls()) {
                        msg.put("content", JsonValue.nullValue());
                    } else {
                        msg.put("content", a.text());
                    }
                    if (a.hasToolCalls()) {
                        var calls = new ArrayList<JsonValue>(a.toolCalls().size());
                        for (ToolCall c : a.toolCalls()) {
                            calls.add(JsonObject.builder()
                                    .put("id", c.id())
                                    .put("type", "function")
                                    .put("function",
                                            JsonObject.builder()
                                                    .put("name", c.name())
                                                    .put("arguments",
                                                            ProviderHttp.argumentsObject(c.arguments()).toJson())
                                                    .build())
                                    .build());
                        }
                        msg.put("tool_calls", new JsonArray(calls));
                    }
                    yield msg.build();
                }
                case Message.ToolResult r -> role("tool").put("tool_call_id", r.callId())
                        .put("content", r.content())
                        .build();
            });
        }
        return new JsonArray(out);
    }

    private static JsonObject.Builder role(String role) {
        return JsonObject.builder().put("role", role);
    }

    // ------------------------------------------------------------------------------- the reply

    static FinishReason finishReason(String reason) {
        return switch (reason.toLowerCase(Locale.ROOT)) {
            case "stop", "eos", "end_turn" -> FinishReason.STOP;
            case "length", "max_tokens" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    static Usage usage(JsonObject u) {
        long input = u.getLong("prompt_tokens").orElse(0L);
        long output = u.getLong("completion_tokens").orElse(0L);
        long cached = u.getObject("prompt_tokens_details").flatMap(d -> d.getLong("cached_tokens")).orElse(0L);
        return new Usage(Math.max(0, input), Math.max(0, output), Math.max(0, cached), 0, 0);
    }

    /** The arguments of a call: a JSON string as the API sends it, or an object some servers send instead. */
    static String arguments(@Nullable JsonValue value) {
        if (value == null || value instanceof JsonValue.JsonNull) {
            return "";
        }
        if (value instanceof JsonValue.JsonString(String s)) {
            return s;
        }
        return value.toJson();
    }

    @Override
    protected ChatResponse response(String body, @Nullable String requestId) {
        return parseResponse(body, requestId);
    }

    private ChatResponse parseResponse(String body, @Nullable String requestId) {
        JsonObject json = http.object(body, requestId, "the reply");
        if (json.get("error") != null) {
            throw http.replyError("returned an error", json, requestId);
        }
        JsonObject choice = json.getArray("choices")
                .filter(a -> a.size() > 0 && a.get(0) instanceof JsonObject)
                .map(a -> (JsonObject) a.get(0))
                .orElseThrow(() -> http.invalid("the response has no choices", requestId, null));
        JsonObject message = choice.getObject("message").orElse(JsonObject.EMPTY);
        String text = message.getString("content").orElse("");
        var calls = new ArrayList<ToolCall>();
        var toolCalls = message.getArray("tool_calls").orElse(JsonArray.EMPTY);
        for (int i = 0; i < toolCalls.size(); i++) {
            if (toolCalls.get(i) instanceof JsonObject tc) {
                JsonObject fn = tc.getObject("function").orElse(JsonObject.EMPTY);
                String args = arguments(fn.get("arguments"));
                String id = tc.getString("id").filter(s -> !s.isEmpty()).orElse("call_" + i);
                calls.add(new ToolCall(id, fn.getString("name").orElse(""), args.isBlank() ? "{}" : args));
            }
        }
        FinishReason reason = choice.getString("finish_reason")
                .map(OpenAiChatModel::finishReason)
                .orElse(FinishReason.STOP);
        if (!calls.isEmpty() && reason == FinishReason.STOP) {
            reason = FinishReason.TOOL_CALLS;
        }
        Usage usage = json.getObject("usage").map(OpenAiChatModel::usage).orElse(Usage.ZERO);
        return new ChatResponse(new Message.Assistant(text, ReplyAssembler.withDistinctIds(calls)), usage, reason);
    }

    @Override
    protected ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return new StreamDecoder(requestId);
    }

    /**
     * Decodes one streamed reply: {@code data:} events carrying chat.completion.chunk objects, then
     * {@code data: [DONE]}. The finish event is sent at {@code [DONE]}, after the usage chunk that
     * {@code stream_options.include_usage} adds; a body that ends before {@code [DONE]} is an error.
     */
    private final class StreamDecoder implements ProviderHttp.StreamDecoder<ChatEvent> {
        private final SseDecoder sse = new SseDecoder(MAX_EVENT_BYTES);
        private final @Nullable String requestId;
        private @Nullable FinishReason finish;
        private boolean done;
        private boolean sawChunk;
        // The calls as this decoder numbers them for the events: a call keeps the server's index when
        // that is free, else (a server that reused an index, or sent none) it gets the next number above
        // every one in use.
        private final BitSet numbers = new BitSet();
        private final Map<Integer, Call> byIndex = new HashMap<>();
        private final Map<String, Call> byId = new HashMap<>();
        private @Nullable Call last;

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
            if (!done) {
                throw http.broken(sawChunk
                        ? "the stream ended before its final event ([DONE]); the reply is incomplete"
                        : "the stream ended without any event", requestId, null);
            }
        }

        private void onEvent(SseEvent event, Consumer<ChatEvent> out) {
            if (done) {
                return;
            }
            String data = event.data();
            if (data.equals("[DONE]")) {
                done = true;
                if (finish == null) {
                    throw http.broken("the stream ended ([DONE]) without a finish reason; the reply is incomplete",
                            requestId, null);
                }
                out.accept(ChatEvent.finish(finish));
                return;
            }
            JsonObject chunk = http.object(data, requestId, "a stream event");
            if (chunk.get("error") != null || event.event().equals("error")) {
                throw http.replyError("sent an error during the reply", chunk, requestId);
            }
            sawChunk = true;
            JsonArray choices = chunk.getArray("choices").orElse(JsonArray.EMPTY);
            for (int c = 0; c < choices.size(); c++) {
                if (choices.get(c) instanceof JsonObject choice && choice.getLong("index").orElse(0L) == 0) {
                    onChoice(choice, out);
                }
            }
            chunk.getObject("usage").ifPresent(u -> out.accept(new ChatEvent.UsageReport(usage(u))));
        }

        private void onChoice(JsonObject choice, Consumer<ChatEvent> out) {
            JsonObject delta = choice.getObject("delta").orElse(JsonObject.EMPTY);
            String content = delta.getString("content").orElse("");
            if (!content.isEmpty()) {
                out.accept(ChatEvent.text(content));
            }
            String refusal = delta.getString("refusal").orElse("");
            if (!refusal.isEmpty()) {
                out.accept(ChatEvent.text(refusal));
            }
            JsonArray toolCalls = delta.getArray("tool_calls").orElse(JsonArray.EMPTY);
            for (int i = 0; i < toolCalls.size(); i++) {
                if (toolCalls.get(i) instanceof JsonObject tc) {
                    JsonObject fn = tc.getObject("function").orElse(JsonObject.EMPTY);
                    String id = tc.getString("id").filter(s -> !s.isEmpty()).orElse(null);
                    String name = fn.getString("name").filter(s -> !s.isEmpty()).orElse(null);
                    String arguments = arguments(fn.get("arguments"));
                    Call call = call(tc, id, name);
                    call.saw(id, name, arguments);
                    if (id != null) {
                        byId.putIfAbsent(id, call);
                    }
                    last = call;
                    out.accept(new ChatEvent.ToolCallDelta(call.number, id, name, arguments));
                }
            }
            choice.getString("finish_reason").ifPresent(r -> finish = finishReason(r));
        }

        /**
         * The call a tool-call entry belongs to. With an {@code index}: the call that index names,
         * unless the entry starts another there (an id other than that call's, or a name other than
         * its name once its arguments have begun), or names by id a call that began at that index
         * before. Without one (older Ollama sends whole calls so): the call of a known id, a new call
         * for a new id or a name, else the last call (a fragment).
         */
        private Call call(JsonObject tc, @Nullable String id, @Nullable String name) {
            JsonValue given = tc.get("index");
            if (given == null || given instanceof JsonValue.JsonNull) {
                if (id != null) {
                    Call known = byId.get(id);
                    return known != null ? known : open(-1);
                }
                return name == null && last != null ? last : open(-1);
            }
            long value = tc.getLong("index").orElse(-1L);
            if (value < 0 || value > 1_000) {
                throw http.invalid("a tool call has an impossible index " + given.toJson(), requestId, null);
            }
            int index = (int) value;
            Call current = byIndex.get(index);
            if (current != null && current.startedBy(id, name)) {
                Call known = id == null ? null : byId.get(id);
                current = known != null && known.index == index ? known : null;
            }
            if (current == null) {
                current = open(index);
            }
            byIndex.put(index, current);
            return current;
        }

        private Call open(int index) {
            if (numbers.cardinality() >= 1_000) {
                throw http.invalid("the reply has more than 1000 tool calls", requestId, null);
            }
            int number = index >= 0 && !numbers.get(index) ? index : numbers.length();
            numbers.set(number);
            return new Call(index, number);
        }
    }

    /** A tool call of a streamed reply, as far as telling it from the next one needs. */
    private static final class Call {
        /** The server's index, or -1. */
        final int index;
        /** The index of its events. */
        final int number;
        @Nullable
        String id;
        @Nullable
        String name;
        boolean hasArguments;

        Call(int index, int number) {
            this.index = index;
            this.number = number;
        }

        boolean startedBy(@Nullable String otherId, @Nullable String otherName) {
            if (otherId != null && id != null && !otherId.equals(id)) {
                return true;
            }
            return otherName != null && hasArguments && !otherName.equals(name);
        }

        void saw(@Nullable String newId, @Nullable String newName, String arguments) {
            if (id == null) {
                id = newId;
            }
            if (newName != null && !hasArguments) {
                name = name == null ? newName : name.equals(newName) ? name : name + newName;
            }
            hasArguments |= !arguments.isEmpty();
        }
    }

    /** Builds an {@link OpenAiChatModel}; {@code model} is required. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        public OpenAiChatModel build() {
            HostedSettings s = settings("OPENAI_API_KEY", "OPENAI_BASE_URL", DEFAULT_BASE_URL, "gpt-4.1-mini");
            return new OpenAiChatModel(new Builder().copyOf(this), s);
        }

        private Builder copyOf(Builder other) {
            return from(other);
        }
    }
}
