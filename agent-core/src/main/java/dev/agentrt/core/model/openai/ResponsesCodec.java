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
import dev.agentrt.core.model.Reasoning;
import dev.agentrt.core.model.ResponseFormat;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The Responses API wire format: request bodies (input items), whole replies (a response object),
 * and the reading of a streamed reply's semantic events, which ends at {@code response.completed}
 * or {@code response.incomplete}. Immutable and thread-safe; each stream reader is confined to one
 * reply.
 */
final class ResponsesCodec implements ProviderCodec {
    static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;
    /** The provider name on the reasoning items this codec makes and sends back. */
    static final String PROVIDER = "openai";
    private static final int MAX_CALLS = 1_000;
    /** Model families that reason whether or not the request asks (their reasoning is kept for the next turn). */
    private static final Pattern REASONING_MODEL = Pattern.compile("(o\\d|gpt-5|codex).*");

    private final ProviderHttp http;
    private final String model;
    private final ChatOptions defaults;
    private final OpenAiResponsesModel.Settings settings;
    private final ProviderMedia media;

    ResponsesCodec(ProviderHttp http, HostedSettings hosted, OpenAiResponsesModel.Settings settings) {
        this.http = http;
        this.model = hosted.model();
        this.defaults = hosted.defaults();
        this.settings = settings;
        this.media = hosted.media("OpenAI Responses");
    }

    /** Whether the model reasons, so that its reasoning items are asked for sealed when nothing is stored. */
    boolean reasons() {
        String name = model.toLowerCase(java.util.Locale.ROOT);
        return settings.reasoningEffort() != null || REASONING_MODEL.matcher(name).matches() && !name.contains("-chat");
    }

    // ------------------------------------------------------------------------------- the request

    @Override
    public String body(ChatRequest request, boolean stream) {
        return body(request, stream, null, 0);
    }

    /**
     * The body of a request that continues the stored response {@code previousResponseId} (when not
     * null) with the messages of {@code request} from {@code firstNew} on.
     */
    String body(ChatRequest request, boolean stream, @Nullable String previousResponseId, int firstNew) {
        ChatOptions o = request.options().orElse(defaults);
        if (!o.stopSequences().isEmpty()) {
            throw new IllegalArgumentException("the Responses API has no stop sequences; leave stopSequences empty"
                    + " or use OpenAiChatModel (Chat Completions)");
        }
        var b = JsonObject.builder().put("model", model);
        if (previousResponseId != null) {
            b.put("previous_response_id", previousResponseId);
        }
        List<Message> messages = request.messages();
        b.put("input", input(messages.subList(firstNew, messages.size())));
        if (!request.tools().isEmpty()) {
            b.put("tools", tools(request.tools()));
        }
        Integer maxTokens = o.maxTokens();
        if (maxTokens != null) {
            b.put("max_output_tokens", maxTokens);
        }
        Double temperature = o.temperature();
        if (temperature != null) {
            b.put("temperature", temperature);
        }
        Double topP = o.topP();
        if (topP != null) {
            b.put("top_p", topP);
        }
        ResponseFormat format = o.responseFormat();
        if (format != null) {
            b.put("text", JsonObject.builder()
                    .put("format", JsonObject.builder()
                            .put("type", "json_schema")
                            .put("name", format.name())
                            .put("schema", format.schema())
                            .put("strict", true)
                            .build())
                    .build());
        }
        String effort = settings.reasoningEffort();
        if (effort != null) {
            b.put("reasoning", JsonObject.builder().put("effort", effort).put("summary", "auto").build());
        }
        b.put("store", settings.store());
        if (!settings.store() && reasons()) {
            // Nothing is kept on the server: the reasoning comes back sealed, to be sent with the next turn.
            b.put("include", List.of("reasoning.encrypted_content"));
        }
        if (stream) {
            b.put("stream", true);
        }
        return b.build().toJson();
    }

    /** Function tools; not strict, since a tool's schema need not meet strict mode's rules. */
    private static JsonArray tools(List<ToolSpec> specs) {
        var tools = new ArrayList<JsonValue>(specs.size());
        for (ToolSpec t : specs) {
            tools.add(JsonObject.builder()
                    .put("type", "function")
                    .put("name", t.name())
                    .put("description", t.description())
                    .put("parameters", t.parameters())
                    .put("strict", false)
                    .build());
        }
        return new JsonArray(tools);
    }

    /**
     * The conversation as input items: messages by role, an assistant turn as its reasoning items
     * (unchanged, first, as the model wrote them), its text, then its function calls; each tool
     * result a {@code function_call_output}. Reasoning the server could not resolve (neither sealed
     * content nor stored responses to find it by id) is left out, as is another provider's.
     */
    private JsonArray input(List<Message> messages) {
        var items = new ArrayList<JsonValue>(messages.size() + 4);
        for (Message m : messages) {
            switch (m) {
                case Message.System s -> items.add(message("system", s.text()));
                case Message.User u -> items.add(u.media().isEmpty()
                        ? message("user", u.text())
                        : JsonObject.builder()
                                .put("role", "user")
                                .put("content", content(u.text(), u.media()))
                                .build());
                case Message.Assistant a -> {
                    for (Reasoning r : a.reasoningFrom(PROVIDER)) {
                        JsonObject item = reasoningItem(r);
                        if (item != null) {
                            items.add(item);
                        }
                    }
                    if (!a.text().isEmpty()) {
                        items.add(message("assistant", a.text()));
                    }
                    for (ToolCall c : a.toolCalls()) {
                        items.add(JsonObject.builder()
                                .put("type", "function_call")
                                .put("call_id", c.id())
                                .put("name", c.name())
                                .put("arguments", ProviderJson.argumentsObject(c.arguments()).toJson())
                                .build());
                    }
                }
                case Message.ToolResult r -> items.add(JsonObject.builder()
                        .put("type", "function_call_output")
                        .put("call_id", r.callId())
                        .put("output",
                                r.media().isEmpty() ? JsonValue.of(r.content()) : content(r.content(), r.media()))
                        .build());
            }
        }
        return new JsonArray(items);
    }

    /**
     * Text and media as {@code input_text} and {@code input_image} parts (a function call's output takes the same
     * array). The Responses API takes no audio input.
     */
    private JsonArray content(String text, List<Media> items) {
        var parts = new ArrayList<JsonValue>(items.size() + 1);
        if (!text.isBlank()) {
            parts.add(inputText(text));
        }
        for (Media item : items) {
            parts.add(item instanceof Media.Image i
                    ? JsonObject.builder().put("type", "input_image").put("image_url", i.dataUrlOrUrl()).build()
                    : inputText(media.unsupported(item, "audio input")));
        }
        return new JsonArray(parts);
    }

    private static JsonObject inputText(String text) {
        return JsonObject.builder().put("type", "input_text").put("text", text).build();
    }

    private static JsonObject message(String role, String text) {
        return JsonObject.builder().put("role", role).put("content", text).build();
    }

    private @Nullable JsonObject reasoningItem(Reasoning r) {
        String id = r.id();
        String encrypted = r.encrypted();
        if (encrypted == null && (id == null || !settings.store())) {
            return null;
        }
        var item = JsonObject.builder().put("type", "reasoning");
        if (id != null) {
            item.put("id", id);
        }
        var summary = new ArrayList<JsonValue>(1);
        if (!r.text().isEmpty()) {
            summary.add(JsonObject.builder().put("type", "summary_text").put("text", r.text()).build());
        }
        item.put("summary", new JsonArray(summary));
        if (encrypted != null) {
            item.put("encrypted_content", encrypted);
        }
        return item.build();
    }

    // ------------------------------------------------------------------------------- the reply

    static FinishReason incompleteReason(@Nullable JsonObject response) {
        String reason = response == null
                ? ""
                : response.getObject("incomplete_details").flatMap(d -> d.getString("reason")).orElse("");
        return switch (reason) {
            case "max_output_tokens" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    static Usage usage(JsonObject u) {
        long input = u.getLong("input_tokens").orElse(0L);
        long output = u.getLong("output_tokens").orElse(0L);
        long cached = u.getObject("input_tokens_details").flatMap(d -> d.getLong("cached_tokens")).orElse(0L);
        long reasoning = u.getObject("output_tokens_details").flatMap(d -> d.getLong("reasoning_tokens")).orElse(0L);
        return new Usage(Math.max(0, input), Math.max(0, output), Math.max(0, cached), 0, Math.max(0, reasoning), 0);
    }

    /** A reasoning output item as a reasoning block: its summary parts joined by blank lines. */
    static Reasoning reasoning(JsonObject item) {
        var text = new StringBuilder();
        for (JsonValue part : item.getArray("summary").orElse(JsonArray.EMPTY).items()) {
            if (part instanceof JsonObject p) {
                if (!text.isEmpty()) {
                    text.append("\n\n");
                }
                text.append(p.getString("text").orElse(""));
            }
        }
        return new Reasoning(PROVIDER, text.toString(), null,
                item.getString("encrypted_content").filter(e -> !e.isEmpty()).orElse(null),
                item.getString("id").filter(i -> !i.isEmpty()).orElse(null));
    }

    /** An error object in the form {@code ProviderHttp} reads: {@code {"error":{"code","message"}}}. */
    static JsonObject error(JsonObject error) {
        return JsonObject.builder().put("error", error).build();
    }

    @Override
    public ChatResponse response(String body, @Nullable String requestId) {
        JsonObject json = http.object(body, requestId, "the reply");
        if (json.get("error") instanceof JsonObject error) {
            throw http.replyError("returned an error", error(error), requestId);
        }
        String status = json.getString("status").orElse("completed");
        if (status.equals("failed")) {
            throw http.replyError("reported the response failed", error(JsonObject.EMPTY), requestId);
        }
        var text = new StringBuilder();
        var calls = new ArrayList<ToolCall>();
        var reasoning = new ArrayList<Reasoning>();
        for (JsonValue v : json.getArray("output").orElse(JsonArray.EMPTY).items()) {
            if (v instanceof JsonObject item) {
                switch (item.getString("type").orElse("")) {
                    case "message" -> {
                        for (JsonValue c : item.getArray("content").orElse(JsonArray.EMPTY).items()) {
                            if (c instanceof JsonObject part) {
                                text.append(part.getString("text").or(() -> part.getString("refusal")).orElse(""));
                            }
                        }
                    }
                    case "function_call" -> {
                        String args = OpenAiCodec.arguments(item.get("arguments"));
                        calls.add(new ToolCall(
                                item.getString("call_id").filter(id -> !id.isEmpty()).orElse("call_" + calls.size()),
                                item.getString("name").orElse(""), args.isBlank() ? "{}" : args));
                    }
                    case "reasoning" -> reasoning.add(reasoning(item));
                    default -> {
                        // hosted tools' items: not part of the SPI's reply
                    }
                }
            }
        }
        FinishReason reason = status.equals("incomplete")
                ? incompleteReason(json)
                : calls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS;
        Usage usage = json.getObject("usage").map(ResponsesCodec::usage).orElse(Usage.ZERO);
        return new ChatResponse(new Message.Assistant(text.toString(), ReplyAssembler.withDistinctIds(calls),
                reasoning), usage, reason, json.getString("id").orElse(null), json.getString("model").orElse(null));
    }

    @Override
    public ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return decoder(requestId, id -> {});
    }

    /** A decoder that tells {@code responseId} the id of the response as soon as the stream names it. */
    ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId, Consumer<String> responseId) {
        return ReplyDecoder.events(http, requestId, MAX_EVENT_BYTES, "response.completed",
                new StreamReader(responseId));
    }

    /** Reads the events of one streamed reply. */
    private static final class StreamReader implements ReplyDecoder.Reader<SseEvent> {
        private final Consumer<String> responseId;
        private final ToolCallNumbers numbers = new ToolCallNumbers();
        /** Function calls by output index. */
        private final Map<Long, Call> calls = new HashMap<>();
        /** The output items (index and content part) whose text came in deltas. */
        private final Set<String> streamedText = new HashSet<>();
        private boolean named;

        StreamReader(Consumer<String> responseId) {
            this.responseId = responseId;
        }

        @Override
        public void read(SseEvent event, ReplyDecoder<SseEvent> reply) {
            if (event.data().equals("[DONE]")) {
                return; // some compatible servers end so; the reply ended at response.completed already
            }
            JsonObject data = reply.json(event.data(), "a stream event");
            String type = data.getString("type").orElse(event.event());
            switch (type) {
                case "response.created", "response.in_progress" -> {
                    reply.started();
                    nameResponse(data, reply);
                }
                case "response.output_item.added" -> {
                    reply.started();
                    JsonObject item = data.getObject("item").orElse(JsonObject.EMPTY);
                    if (item.getString("type").orElse("").equals("function_call")) {
                        long index = outputIndex(data, reply);
                        if (calls.size() >= MAX_CALLS) {
                            throw reply.invalid("the reply has more than " + MAX_CALLS + " function calls");
                        }
                        var call = new Call(numbers.take(index <= Integer.MAX_VALUE ? (int) index : -1));
                        calls.put(index, call);
                        String arguments = OpenAiCodec.arguments(item.get("arguments"));
                        call.arguments += arguments.length();
                        reply.toolCall(call.number, item.getString("call_id").filter(s -> !s.isEmpty()).orElse(null),
                                item.getString("name").orElse(""), arguments);
                    }
                }
                case "response.output_text.delta", "response.refusal.delta" -> {
                    streamedText.add(part(data));
                    reply.text(data.getString("delta").orElse(""));
                }
                case "response.output_text.done", "response.refusal.done" -> {
                    // A server that sent the whole text only here.
                    if (!streamedText.contains(part(data))) {
                        reply.text(data.getString("text").or(() -> data.getString("refusal")).orElse(""));
                    }
                }
                case "response.function_call_arguments.delta" -> {
                    Call call = call(data, reply);
                    String delta = data.getString("delta").orElse("");
                    call.arguments += delta.length();
                    reply.toolCall(call.number, null, null, delta);
                }
                case "response.function_call_arguments.done" ->
                    wholeArguments(call(data, reply), data.getString("arguments").orElse(""), reply);
                case "response.reasoning_summary_part.added" -> {
                    if (data.getLong("summary_index").orElse(0L) > 0) {
                        reply.reasoningText("\n\n"); // the parts of a summary, as the block joins them
                    }
                }
                case "response.reasoning_summary_text.delta" -> reply.reasoningText(data.getString("delta").orElse(""));
                case "response.output_item.done" -> {
                    JsonObject item = data.getObject("item").orElse(JsonObject.EMPTY);
                    switch (item.getString("type").orElse("")) {
                        case "reasoning" -> reply.reasoning(reasoning(item));
                        case "function_call" -> wholeArguments(call(data, reply),
                                OpenAiCodec.arguments(item.get("arguments")), reply);
                        default -> {
                            // messages streamed already; hosted tools' items are not part of the SPI's reply
                        }
                    }
                }
                case "response.completed" -> {
                    if (!reply.hasStarted()) {
                        throw reply.invalid("response.completed arrived before the response was created");
                    }
                    JsonObject response = data.getObject("response").orElse(JsonObject.EMPTY);
                    nameResponse(data, reply);
                    response.getObject("usage").ifPresent(u -> reply.usage(usage(u)));
                    reply.finish(calls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS);
                }
                case "response.incomplete" -> {
                    JsonObject response = data.getObject("response").orElse(JsonObject.EMPTY);
                    nameResponse(data, reply);
                    response.getObject("usage").ifPresent(u -> reply.usage(usage(u)));
                    reply.finish(incompleteReason(response));
                }
                case "response.failed" -> {
                    JsonObject error = data.getObject("response")
                            .flatMap(r -> r.getObject("error"))
                            .orElse(JsonObject.builder().put("message", "the response failed").build());
                    throw reply.providerError("reported the response failed", error(error));
                }
                case "error" -> {
                    // The documented event carries code and message at its top, beside its own type ("error").
                    JsonObject error = data.getObject("error").orElseGet(() -> {
                        var top = JsonObject.builder();
                        data.getString("code").ifPresent(c -> top.put("code", c));
                        return top.put("message", data.getString("message").orElse("")).build();
                    });
                    throw reply.providerError("sent an error during the reply", error(error));
                }
                default -> {
                    // content parts, summary parts' ends, hosted tools' progress, and events added later
                }
            }
        }

        private void nameResponse(JsonObject data, ReplyDecoder<SseEvent> reply) {
            data.getObject("response")
                    .ifPresent(r -> reply.identified(r.getString("id").orElse(null),
                            r.getString("model").orElse(null)));
            if (!named) {
                var id = data.getObject("response").flatMap(r -> r.getString("id")).filter(s -> !s.isEmpty());
                if (id.isPresent()) {
                    named = true;
                    responseId.accept(id.get());
                }
            }
        }

        /**
         * The arguments a {@code .done} event or a finished item holds: sent on only when no delta
         * brought any (a server that streams no deltas); otherwise they repeat what came.
         */
        private static void wholeArguments(Call call, String arguments, ReplyDecoder<SseEvent> reply) {
            if (call.arguments == 0 && !arguments.isEmpty()) {
                call.arguments = arguments.length();
                reply.toolCall(call.number, null, null, arguments);
            }
        }

        private static String part(JsonObject data) {
            return data.getLong("output_index").orElse(-1L) + ":" + data.getLong("content_index").orElse(0L);
        }

        private static long outputIndex(JsonObject data, ReplyDecoder<SseEvent> reply) {
            long index = data.getLong("output_index").orElse(-1L);
            if (index < 0 || index > 100_000) {
                throw reply.invalid("an output item has an impossible index " + data.get("output_index"));
            }
            return index;
        }

        private Call call(JsonObject data, ReplyDecoder<SseEvent> reply) {
            long index = outputIndex(data, reply);
            Call call = calls.get(index);
            if (call == null) {
                throw reply.invalid("function call arguments arrived for output item " + index
                        + ", which is no function call of the reply");
            }
            return call;
        }
    }

    /** A function call of a streamed reply: the number of its events and how much of its arguments came. */
    private static final class Call {
        final int number;
        long arguments;

        Call(int number) {
            this.number = number;
        }
    }
}
