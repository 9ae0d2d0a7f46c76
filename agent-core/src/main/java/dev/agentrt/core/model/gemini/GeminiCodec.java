package dev.agentrt.core.model.gemini;

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

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Gemini {@code generateContent} wire format: request bodies, and the reading of a reply, whole
 * or streamed (each server-sent event a whole {@code GenerateContentResponse} chunk, the reply ending
 * with the body). Immutable and thread-safe; each stream reader is confined to one reply.
 *
 * <p>Thought signatures. Gemini signs parts of a reply ({@code thoughtSignature} on a
 * {@code functionCall} part, on a text part, on a thought part) and wants each signature back on the
 * same part of the model turn. The reply keeps one {@link Reasoning} (provider {@value #PROVIDER}) per
 * signed part, its {@link Reasoning#id()} naming the part:
 * <ul>
 * <li>the {@link ToolCall#id()} of the call, for a {@code functionCall} part;
 * <li>{@value #TEXT_PART}, for a text part (the reply's text goes back as one part, carrying the
 * first such signature; any later one goes back on an empty text part after it);
 * <li>{@value #THOUGHT_PART}, for a thought part (sent back as a thought part with its text).
 * </ul>
 * The {@link Reasoning#text()} of a block is the thought summary (parts with {@code thought: true})
 * streamed since the block before it. A summary that no signed part follows is kept as a block with
 * no signature and no id, for people: it is never sent back (Gemini reads nothing from unsigned
 * thought text).
 *
 * <p>Call ids. A call the API sent without an id gets {@value #GENERATED_ID}{@code N} (N its number
 * in the reply); such ids are this client's, so they are not sent back, and the call's result is
 * matched by the function's name and its place, as the API does. Ids the API gave go back on the
 * call and its {@code functionResponse}.
 */
final class GeminiCodec implements ProviderCodec {
    static final String PROVIDER = "gemini";
    static final String TEXT_PART = "text";
    static final String THOUGHT_PART = "thought";
    static final String GENERATED_ID = "gemini_call_";
    private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;
    private static final int MAX_CALLS = 128;

    private final ProviderHttp http;
    private final ChatOptions defaults;
    private final GeminiChatModel.Thinking thinking;
    private final ProviderMedia media;

    GeminiCodec(ProviderHttp http, HostedSettings settings, GeminiChatModel.Thinking thinking) {
        this.http = http;
        this.defaults = settings.defaults();
        this.thinking = thinking;
        this.media = settings.media("Gemini");
    }

    // ------------------------------------------------------------------------------- the request

    @Override
    public String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder();
        var system = new StringBuilder();
        b.put("contents", contents(request.messages(), system, media));
        if (!system.isEmpty()) {
            b.put("systemInstruction", JsonObject.builder()
                    .put("parts", new JsonArray(List.of(text(system.toString()))))
                    .build());
        }
        if (!request.tools().isEmpty()) {
            var declarations = new ArrayList<JsonValue>(request.tools().size());
            for (ToolSpec t : request.tools()) {
                declarations.add(JsonObject.builder()
                        .put("name", t.name())
                        .put("description", t.description())
                        .put("parametersJsonSchema", t.parameters())
                        .build());
            }
            b.put("tools", new JsonArray(List.of(JsonObject.builder()
                    .put("functionDeclarations", new JsonArray(declarations))
                    .build())));
        }
        var config = JsonObject.builder();
        Integer maxTokens = o.maxTokens();
        if (maxTokens != null) {
            config.put("maxOutputTokens", maxTokens);
        }
        Double temperature = o.temperature();
        if (temperature != null) {
            config.put("temperature", temperature);
        }
        Double topP = o.topP();
        if (topP != null) {
            config.put("topP", topP);
        }
        if (!o.stopSequences().isEmpty()) {
            config.put("stopSequences", o.stopSequences());
        }
        ResponseFormat format = o.responseFormat();
        if (format != null) {
            config.put("responseMimeType", "application/json").put("responseJsonSchema", format.schema());
        }
        if (thinking.set()) {
            var t = JsonObject.builder();
            Integer budget = thinking.budgetTokens();
            if (budget != null) {
                t.put("thinkingBudget", budget);
            }
            if (thinking.includeThoughts()) {
                t.put("includeThoughts", true);
            }
            config.put("thinkingConfig", t.build());
        }
        JsonObject generationConfig = config.build();
        if (generationConfig.size() > 0) {
            b.put("generationConfig", generationConfig);
        }
        return b.build().toJson();
    }

    /**
     * The conversation as {@code contents}: system text apart, user and model turns alternating
     * (consecutive messages of one side share a turn), each tool result a {@code functionResponse}
     * part in the user turn after the model turn that called it, each signature on its part. Media are
     * {@code inlineData} parts: after the text of a user message, after the {@code functionResponse} of a tool
     * result (with a text part naming the call they came from).
     */
    private static JsonArray contents(List<Message> messages, StringBuilder system, ProviderMedia media) {
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
                    if (u.media().isEmpty() || !u.text().isBlank()) {
                        turns.add("user", text(u.text()));
                    }
                    u.media().forEach(item -> turns.add("user", inlineData(item, media)));
                }
                case Message.Assistant a -> {
                    var parts = new ArrayList<JsonValue>(2);
                    modelParts(a, parts);
                    if (!parts.isEmpty()) {
                        // An empty turn (a reply cut off before anything) is left out, not sent as a gap.
                        turns.addAll("model", parts);
                    }
                }
                case Message.ToolResult r -> {
                    var response = JsonObject.builder()
                            .put("name", r.toolName())
                            .put("response",
                                    JsonObject.builder().put(r.error() ? "error" : "result", r.content()).build());
                    if (!r.callId().startsWith(GENERATED_ID)) {
                        response.put("id", r.callId());
                    }
                    turns.add("user", JsonObject.builder().put("functionResponse", response.build()).build());
                    if (!r.media().isEmpty()) {
                        turns.add("user", text("The result of " + r.toolName() + " came with " + r.media().size()
                                + (r.media().size() == 1 ? " attachment:" : " attachments:")));
                        r.media().forEach(item -> turns.add("user", inlineData(item, media)));
                    }
                }
            }
        }
        return turns.toJson("parts");
    }

    /** An assistant message's parts: signed thoughts, the text, the calls, each with its signature. */
    private static void modelParts(Message.Assistant a, List<JsonValue> parts) {
        var bySignedCall = new HashMap<String, String>();
        var textSignatures = new ArrayList<String>(1);
        for (Reasoning r : a.reasoningFrom(PROVIDER)) {
            String signature = r.signature();
            String id = r.id();
            if (signature == null || id == null) {
                continue; // an unsigned summary: for people only
            }
            switch (id) {
                case THOUGHT_PART -> parts.add(JsonObject.builder()
                        .put("text", r.text())
                        .put("thought", true)
                        .put("thoughtSignature", signature)
                        .build());
                case TEXT_PART -> textSignatures.add(signature);
                default -> bySignedCall.putIfAbsent(id, signature);
            }
        }
        if (!a.text().isEmpty() || !textSignatures.isEmpty()) {
            for (int i = 0; i < Math.max(1, textSignatures.size()); i++) {
                var part = JsonObject.builder().put("text", i == 0 ? a.text() : "");
                if (i < textSignatures.size()) {
                    part.put("thoughtSignature", textSignatures.get(i));
                }
                parts.add(part.build());
            }
        }
        for (ToolCall c : a.toolCalls()) {
            var call = JsonObject.builder()
                    .put("name", c.name())
                    .put("args", ProviderJson.argumentsObject(c.arguments()));
            if (!c.id().startsWith(GENERATED_ID)) {
                call.put("id", c.id());
            }
            var part = JsonObject.builder().put("functionCall", call.build());
            String signature = bySignedCall.get(c.id());
            if (signature != null) {
                part.put("thoughtSignature", signature);
            }
            parts.add(part.build());
        }
    }

    /** The bytes as an {@code inlineData} part; an image URL is not fetched by the API, and WebM audio not read. */
    private static JsonObject inlineData(Media item, ProviderMedia media) {
        String base64 = switch (item) {
            case Media.Image i -> i.base64();
            case Media.Audio a -> a.mimeType().equals("audio/webm") ? null : a.base64();
        };
        if (base64 == null) {
            return text(media.unsupported(item, item instanceof Media.Image ? "image URLs" : "WebM audio"));
        }
        return JsonObject.builder()
                .put("inlineData", JsonObject.builder().put("mimeType", item.mimeType()).put("data", base64).build())
                .build();
    }

    private static JsonObject text(String text) {
        return JsonObject.builder().put("text", text).build();
    }

    // ------------------------------------------------------------------------------- the reply

    /** The finish reason of a candidate, or null for one that means "not finished". */
    static @Nullable FinishReason finishReason(String reason) {
        return switch (reason) {
            case "", "FINISH_REASON_UNSPECIFIED" -> null;
            case "STOP" -> FinishReason.STOP;
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                    "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" ->
                FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /**
     * Gemini's counts: {@code promptTokenCount} includes the cached prompt; thoughts are billed as
     * output beside the candidates; the prompt of a server tool counts as input.
     */
    static Usage usage(JsonObject u) {
        long prompt = Math.max(0, u.getLong("promptTokenCount").orElse(0L))
                + Math.max(0, u.getLong("toolUsePromptTokenCount").orElse(0L));
        long output = Math.max(0, u.getLong("candidatesTokenCount").orElse(0L))
                + Math.max(0, u.getLong("thoughtsTokenCount").orElse(0L));
        long cached = Math.max(0, u.getLong("cachedContentTokenCount").orElse(0L));
        return new Usage(prompt, output, cached, 0, 0);
    }

    @Override
    public ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return ReplyDecoder.events(http, requestId, MAX_EVENT_BYTES, "a chunk with a finishReason",
                new StreamReader());
    }

    /** A whole reply has the form of one chunk: it is read as a stream of that one chunk. */
    @Override
    public ChatResponse response(String body, @Nullable String requestId) {
        var decoder = ReplyDecoder.events(http, requestId, MAX_EVENT_BYTES, "a finishReason", new StreamReader());
        var assembler = new ReplyAssembler();
        decoder.frame(new SseEvent("message", body, null), assembler::accept);
        decoder.end(assembler::accept);
        return assembler.finish();
    }

    /** Reads the chunks of one reply; the reply ends with the body, after a chunk that gave a finish reason. */
    private static final class StreamReader implements ReplyDecoder.Reader<SseEvent> {
        private final ToolCallNumbers numbers = new ToolCallNumbers();
        /** Thought summary text since the last signed part. */
        private final StringBuilder thought = new StringBuilder();
        private final Map<String, Integer> ids = new HashMap<>();
        private @Nullable FinishReason finish;
        private @Nullable Usage usage;

        @Override
        public void read(SseEvent event, ReplyDecoder<SseEvent> reply) {
            JsonObject chunk = reply.json(event.data(), "a stream chunk");
            if (chunk.get("error") != null) {
                throw reply.providerError("sent an error during the reply", chunk);
            }
            reply.started();
            reply.identified(chunk.getString("responseId").orElse(null), chunk.getString("modelVersion").orElse(null));
            chunk.getObject("usageMetadata").ifPresent(u -> {
                Usage now = usage(u);
                if (!now.equals(usage)) {
                    usage = now;
                    reply.usage(now);
                }
            });
            JsonObject candidate = firstCandidate(chunk);
            if (candidate == null) {
                chunk.getObject("promptFeedback").flatMap(f -> f.getString("blockReason")).ifPresent(reason -> {
                    String why = chunk.getObject("promptFeedback")
                            .flatMap(f -> f.getString("blockReasonMessage"))
                            .map(m -> ": " + m)
                            .orElse("");
                    throw reply.invalid("the API blocked the prompt (blockReason " + reason + ")" + why
                            + "; nothing was generated, and the same request would be blocked again:"
                            + " change the conversation");
                });
                return;
            }
            JsonArray parts = candidate.getObject("content")
                    .flatMap(c -> c.getArray("parts"))
                    .orElse(JsonArray.EMPTY);
            for (JsonValue p : parts.items()) {
                if (p instanceof JsonObject part) {
                    part(part, reply);
                }
            }
            String reason = candidate.getString("finishReason").orElse("");
            if (reason.equals("MALFORMED_FUNCTION_CALL") || reason.equals("UNEXPECTED_TOOL_CALL")) {
                String message = candidate.getString("finishMessage").map(m -> ": " + m).orElse("");
                // Retryable: the model usually writes the call right when asked again.
                throw reply.broken("the model wrote a function call the API could not accept (finishReason "
                        + reason + ")" + message);
            }
            FinishReason mapped = finishReason(reason);
            if (mapped != null) {
                finish = mapped;
            }
        }

        private static @Nullable JsonObject firstCandidate(JsonObject chunk) {
            JsonArray candidates = chunk.getArray("candidates").orElse(JsonArray.EMPTY);
            for (JsonValue c : candidates.items()) {
                if (c instanceof JsonObject candidate && candidate.getLong("index").orElse(0L) == 0) {
                    return candidate;
                }
            }
            return null;
        }

        private void part(JsonObject part, ReplyDecoder<SseEvent> reply) {
            String signature = part.getString("thoughtSignature").filter(s -> !s.isEmpty()).orElse(null);
            if (part.getBoolean("thought").orElse(false)) {
                String text = part.getString("text").orElse("");
                reply.reasoningText(text);
                thought.append(text);
                if (signature != null) {
                    signed(signature, THOUGHT_PART, reply);
                }
                return;
            }
            JsonObject call = part.getObject("functionCall").orElse(null);
            if (call != null) {
                if (numbers.count() >= MAX_CALLS) {
                    throw reply.invalid("the reply has more than " + MAX_CALLS + " function calls");
                }
                int number = numbers.take(-1);
                String id = call.getString("id").filter(s -> !s.isEmpty()).orElse(GENERATED_ID + number);
                if (ids.putIfAbsent(id, number) != null) {
                    id = GENERATED_ID + number; // the same id twice: the second call gets its own
                }
                JsonValue args = call.get("args");
                if (signature != null) {
                    signed(signature, id, reply);
                }
                reply.toolCall(number, id, call.getString("name").orElse(""),
                        args instanceof JsonObject o ? o.toJson() : "{}");
                return;
            }
            String text = part.getString("text").orElse(null);
            if (text != null) {
                reply.text(text);
                if (signature != null) {
                    signed(signature, TEXT_PART, reply);
                }
            }
            // Other parts (inline data, executable code and its result) are not part of the SPI's reply.
        }

        private void signed(String signature, String id, ReplyDecoder<SseEvent> reply) {
            reply.reasoning(new Reasoning(PROVIDER, thought.toString(), signature, null, id));
            thought.setLength(0);
        }

        @Override
        public void end(ReplyDecoder<SseEvent> reply) {
            FinishReason reason = finish;
            if (reason == null) {
                return; // no finish reason: the reply is incomplete
            }
            if (!thought.isEmpty()) {
                reply.reasoning(new Reasoning(PROVIDER, thought.toString(), null, null, null));
                thought.setLength(0);
            }
            reply.finish(reason == FinishReason.STOP && numbers.count() > 0 ? FinishReason.TOOL_CALLS : reason);
        }
    }
}
