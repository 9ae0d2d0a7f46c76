package dev.agentrt.core.model.openai;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.internal.http.SseEvent;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.internal.provider.ProviderCodec;
import dev.agentrt.core.internal.provider.ProviderJson;
import dev.agentrt.core.internal.provider.ProviderMedia;
import dev.agentrt.core.internal.provider.ReplyDecoder;
import dev.agentrt.core.internal.provider.ToolCallNumbers;
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
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Chat Completions wire format: request bodies, whole replies, and the reading of a streamed
 * reply's {@code data:} events (chat.completion.chunk objects, then {@code data: [DONE]}). Immutable
 * and thread-safe; each stream reader is confined to one reply.
 */
final class OpenAiCodec implements ProviderCodec {
    static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

    private final ProviderHttp http;
    private final String model;
    private final ChatOptions defaults;
    private final boolean officialApi;
    private final ProviderMedia media;

    OpenAiCodec(ProviderHttp http, HostedSettings settings, boolean officialApi) {
        this.http = http;
        this.model = settings.model();
        this.defaults = settings.defaults();
        this.officialApi = officialApi;
        this.media = settings.media("OpenAI-compatible");
    }

    // ------------------------------------------------------------------------------- the request

    @Override
    public String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder().put("model", model).put("messages", messages(request.messages(), media));
        if (!request.tools().isEmpty()) {
            b.put("tools", ProviderJson.functionTools(request.tools()));
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

    /**
     * The conversation as Chat Completions messages. A tool message takes only text, so the media of the tool
     * results that answer one assistant turn go, after the last of those tool messages, in one user message whose
     * text names the call each came from (what OpenAI-compatible clients do; a user message between two tool
     * messages would be refused).
     */
    private static JsonArray messages(List<Message> messages, ProviderMedia media) {
        var out = new ArrayList<JsonValue>(messages.size());
        var toolMedia = new ArrayList<JsonValue>();
        for (Message m : messages) {
            if (!(m instanceof Message.ToolResult) && !toolMedia.isEmpty()) {
                out.add(role("user").put("content", new JsonArray(List.copyOf(toolMedia))).build());
                toolMedia.clear();
            }
            if (m instanceof Message.ToolResult r && !r.media().isEmpty()) {
                toolMedia.add(textPart("The result of tool call " + r.callId() + " (" + r.toolName() + ") came with "
                        + r.media().size() + (r.media().size() == 1 ? " attachment:" : " attachments:")));
                r.media().forEach(item -> toolMedia.add(mediaPart(item, media)));
            }
            out.add(switch (m) {
                case Message.System s -> role("system").put("content", s.text()).build();
                case Message.User u -> {
                    if (u.media().isEmpty()) {
                        yield role("user").put("content", u.text()).build();
                    }
                    var parts = new ArrayList<JsonValue>();
                    if (!u.text().isBlank()) {
                        parts.add(textPart(u.text()));
                    }
                    u.media().forEach(item -> parts.add(mediaPart(item, media)));
                    yield role("user").put("content", new JsonArray(parts)).build();
                }
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
                                                            ProviderJson.argumentsObject(c.arguments()).toJson())
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
        if (!toolMedia.isEmpty()) {
            out.add(role("user").put("content", new JsonArray(toolMedia)).build());
        }
        return new JsonArray(out);
    }

    private static JsonObject textPart(String text) {
        return JsonObject.builder().put("type", "text").put("text", text).build();
    }

    /** An {@code image_url} part (a data URL for bytes), or an {@code input_audio} part for wav and mp3. */
    private static JsonObject mediaPart(Media item, ProviderMedia media) {
        return switch (item) {
            case Media.Image i -> JsonObject.builder()
                    .put("type", "image_url")
                    .put("image_url", JsonObject.builder().put("url", i.dataUrlOrUrl()).build())
                    .build();
            case Media.Audio a -> {
                String format = switch (a.mimeType()) {
                    case "audio/wav", "audio/x-wav" -> "wav";
                    case "audio/mpeg", "audio/mp3" -> "mp3";
                    default -> null;
                };
                if (format == null) {
                    yield textPart(media.unsupported(a, "audio other than wav and mp3"));
                }
                yield JsonObject.builder()
                        .put("type", "input_audio")
                        .put("input_audio", JsonObject.builder().put("data", a.base64()).put("format", format).build())
                        .build();
            }
        };
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
        long reasoning = u.getObject("completion_tokens_details")
                .flatMap(d -> d.getLong("reasoning_tokens"))
                .orElse(0L);
        // Reasoning tokens are part of the completion tokens; a server that says otherwise is capped.
        return new Usage(Math.max(0, input), Math.max(0, output), Math.max(0, cached), 0,
                Math.min(Math.max(0, reasoning), Math.max(0, output)), 0);
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
    public ChatResponse response(String body, @Nullable String requestId) {
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
                .map(OpenAiCodec::finishReason)
                .orElse(FinishReason.STOP);
        if (!calls.isEmpty() && reason == FinishReason.STOP) {
            reason = FinishReason.TOOL_CALLS;
        }
        Usage usage = json.getObject("usage").map(OpenAiCodec::usage).orElse(Usage.ZERO);
        return new ChatResponse(new Message.Assistant(text, ReplyAssembler.withDistinctIds(calls)), usage, reason,
                json.getString("id").orElse(null), json.getString("model").orElse(null));
    }

    /**
     * The finish event is sent at {@code [DONE]}, after the usage chunk that
     * {@code stream_options.include_usage} adds; a body that ends before {@code [DONE]} is an error.
     */
    @Override
    public ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return ReplyDecoder.events(http, requestId, MAX_EVENT_BYTES, "its final event ([DONE])", new StreamReader());
    }

    /** Reads the events of one streamed reply. */
    private static final class StreamReader implements ReplyDecoder.Reader<SseEvent> {
        private @Nullable FinishReason finish;
        // The calls as this reader numbers them for the events (see ToolCallNumbers).
        private final ToolCallNumbers numbers = new ToolCallNumbers();
        private final Map<Integer, Call> byIndex = new HashMap<>();
        private final Map<String, Call> byId = new HashMap<>();
        private @Nullable Call last;

        @Override
        public void read(SseEvent event, ReplyDecoder<SseEvent> reply) {
            String data = event.data();
            if (data.equals("[DONE]")) {
                FinishReason reason = finish;
                if (reason == null) {
                    throw reply.broken("the stream ended ([DONE]) without a finish reason; the reply is incomplete");
                }
                reply.finish(reason);
                return;
            }
            JsonObject chunk = reply.json(data, "a stream event");
            if (chunk.get("error") != null || event.event().equals("error")) {
                throw reply.providerError("sent an error during the reply", chunk);
            }
            reply.started();
            reply.identified(chunk.getString("id").orElse(null), chunk.getString("model").orElse(null));
            JsonArray choices = chunk.getArray("choices").orElse(JsonArray.EMPTY);
            for (int c = 0; c < choices.size(); c++) {
                if (choices.get(c) instanceof JsonObject choice && choice.getLong("index").orElse(0L) == 0) {
                    onChoice(choice, reply);
                }
            }
            chunk.getObject("usage").ifPresent(u -> reply.usage(usage(u)));
        }

        private void onChoice(JsonObject choice, ReplyDecoder<SseEvent> reply) {
            JsonObject delta = choice.getObject("delta").orElse(JsonObject.EMPTY);
            reply.text(delta.getString("content").orElse(""));
            reply.text(delta.getString("refusal").orElse(""));
            JsonArray toolCalls = delta.getArray("tool_calls").orElse(JsonArray.EMPTY);
            for (int i = 0; i < toolCalls.size(); i++) {
                if (toolCalls.get(i) instanceof JsonObject tc) {
                    JsonObject fn = tc.getObject("function").orElse(JsonObject.EMPTY);
                    String id = tc.getString("id").filter(s -> !s.isEmpty()).orElse(null);
                    String name = fn.getString("name").filter(s -> !s.isEmpty()).orElse(null);
                    String arguments = arguments(fn.get("arguments"));
                    Call call = call(tc, id, name, reply);
                    call.saw(id, name, arguments);
                    if (id != null) {
                        byId.putIfAbsent(id, call);
                    }
                    last = call;
                    reply.toolCall(call.number, id, name, arguments);
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
        private Call call(JsonObject tc, @Nullable String id, @Nullable String name, ReplyDecoder<SseEvent> reply) {
            JsonValue given = tc.get("index");
            if (given == null || given instanceof JsonValue.JsonNull) {
                if (id != null) {
                    Call known = byId.get(id);
                    return known != null ? known : open(-1, reply);
                }
                Call previous = last;
                return name == null && previous != null ? previous : open(-1, reply);
            }
            long value = tc.getLong("index").orElse(-1L);
            if (value < 0 || value > 1_000) {
                throw reply.invalid("a tool call has an impossible index " + given.toJson());
            }
            int index = (int) value;
            Call current = byIndex.get(index);
            if (current != null && current.startedBy(id, name)) {
                Call known = id == null ? null : byId.get(id);
                current = known != null && known.index == index ? known : null;
            }
            if (current == null) {
                current = open(index, reply);
            }
            byIndex.put(index, current);
            return current;
        }

        private Call open(int index, ReplyDecoder<SseEvent> reply) {
            if (numbers.count() >= 1_000) {
                throw reply.invalid("the reply has more than 1000 tool calls");
            }
            return new Call(index, numbers.take(index));
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
}
