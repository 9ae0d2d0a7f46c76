package dev.agentrt.core.model.ollama;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.http.ProviderHttp;
import dev.agentrt.core.internal.provider.HostedSettings;
import dev.agentrt.core.internal.provider.ProviderCodec;
import dev.agentrt.core.internal.provider.ProviderJson;
import dev.agentrt.core.internal.provider.ProviderMedia;
import dev.agentrt.core.internal.provider.ReplyDecoder;
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
import java.util.List;

/**
 * Ollama's native chat wire format ({@code POST /api/chat}, newline-delimited JSON): request
 * bodies and the reading of a reply, which ends at the line with {@code "done": true}. Immutable and
 * thread-safe; each stream reader is confined to one reply.
 */
final class OllamaCodec implements ProviderCodec {
    private static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    private final ProviderHttp http;
    private final String model;
    private final ProviderMedia media;
    private final ChatOptions defaults;

    OllamaCodec(ProviderHttp http, HostedSettings settings) {
        this.http = http;
        this.model = settings.model();
        this.media = settings.media("Ollama");
        this.defaults = settings.defaults();
    }

    @Override
    public ProviderHttp.StreamDecoder<ChatEvent> decoder(@Nullable String requestId) {
        return replyDecoder(requestId);
    }

    private ReplyDecoder<String> replyDecoder(@Nullable String requestId) {
        return ReplyDecoder.lines(http, requestId, MAX_LINE_BYTES, "its final (\"done\": true) line",
                new StreamReader());
    }

    /** A non-streamed reply is one line of the streamed form, the one with {@code "done": true}. */
    @Override
    public ChatResponse response(String body, @Nullable String requestId) {
        var assembler = new ReplyAssembler();
        var decoder = replyDecoder(requestId);
        decoder.frame(body.strip(), assembler::accept);
        decoder.end(assembler::accept);
        return assembler.finish();
    }

    @Override
    public String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder().put("model", model).put("messages", messages(request.messages(), media));
        if (!request.tools().isEmpty()) {
            b.put("tools", ProviderJson.functionTools(request.tools()));
        }
        var options = JsonObject.builder();
        Integer maxTokens = o.maxTokens();
        if (maxTokens != null) {
            options.put("num_predict", maxTokens);
        }
        Double temperature = o.temperature();
        if (temperature != null) {
            options.put("temperature", temperature);
        }
        Double topP = o.topP();
        if (topP != null) {
            options.put("top_p", topP);
        }
        List<String> stop = o.stopSequences();
        if (!stop.isEmpty()) {
            options.put("stop", stop);
        }
        JsonObject opts = options.build();
        if (opts.size() > 0) {
            b.put("options", opts);
        }
        ResponseFormat format = o.responseFormat();
        if (format != null) {
            b.put("format", format.schema());
        }
        b.put("stream", stream);
        return b.build().toJson();
    }

    /**
     * The conversation as Ollama's messages. Images go base64 in the message's {@code images} array (a user
     * message's or a tool message's); Ollama fetches no URL and takes no audio.
     */
    private static JsonArray messages(List<Message> messages, ProviderMedia media) {
        var out = new ArrayList<JsonValue>(messages.size());
        for (Message m : messages) {
            out.add(switch (m) {
                case Message.System s -> JsonObject.builder().put("role", "system").put("content", s.text()).build();
                case Message.User u -> withImages(JsonObject.builder().put("role", "user"), u.text(), u.media(), media);
                case Message.Assistant a -> {
                    var msg = JsonObject.builder().put("role", "assistant").put("content", a.text());
                    if (a.hasToolCalls()) {
                        var calls = new ArrayList<JsonValue>(a.toolCalls().size());
                        for (ToolCall c : a.toolCalls()) {
                            calls.add(JsonObject.builder()
                                    .put("function", JsonObject.builder()
                                            .put("name", c.name())
                                            .put("arguments", ProviderJson.argumentsObject(c.arguments()))
                                            .build())
                                    .build());
                        }
                        msg.put("tool_calls", new JsonArray(calls));
                    }
                    yield msg.build();
                }
                case Message.ToolResult r -> withImages(
                        JsonObject.builder().put("role", "tool").put("tool_name", r.toolName()), r.content(),
                        r.media(), media);
            });
        }
        return new JsonArray(out);
    }

    private static JsonObject withImages(JsonObject.Builder msg, String text, List<Media> items, ProviderMedia media) {
        var images = new ArrayList<JsonValue>(items.size());
        var content = new StringBuilder(text);
        for (Media item : items) {
            String base64 = item instanceof Media.Image i ? i.base64() : null;
            if (base64 != null) {
                images.add(JsonValue.of(base64));
            } else {
                String why = item instanceof Media.Image ? "image URLs" : "audio";
                content.append(content.isEmpty() ? "" : "\n").append(media.unsupported(item, why));
            }
        }
        msg.put("content", content.toString());
        if (!images.isEmpty()) {
            msg.put("images", new JsonArray(images));
        }
        return msg.build();
    }

    static FinishReason doneReason(String reason) {
        return switch (reason) {
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }

    /** Reads the lines of one reply. */
    private static final class StreamReader implements ReplyDecoder.Reader<String> {
        private int calls;

        @Override
        public void read(String line, ReplyDecoder<String> reply) {
            if (line.isEmpty()) {
                return;
            }
            JsonObject json = reply.json(line, "a stream line");
            if (json.get("error") != null) {
                throw reply.providerError("sent an error", json);
            }
            reply.started();
            reply.identified(null, json.getString("model").orElse(null));
            JsonObject message = json.getObject("message").orElse(JsonObject.EMPTY);
            reply.text(message.getString("content").orElse(""));
            JsonArray toolCalls = message.getArray("tool_calls").orElse(JsonArray.EMPTY);
            for (JsonValue v : toolCalls.items()) {
                if (v instanceof JsonObject tc) {
                    JsonObject fn = tc.getObject("function").orElse(JsonObject.EMPTY);
                    JsonValue args = fn.get("arguments");
                    String arguments = args == null || args instanceof JsonValue.JsonNull
                            ? "{}"
                            : args instanceof JsonValue.JsonString(String s) ? s : args.toJson();
                    int index = calls++;
                    // Each call is whole: the assembler makes an id that repeats (or collides with call_N) unique.
                    reply.toolCall(index, tc.getString("id").filter(id -> !id.isEmpty()).orElse("call_" + index),
                            fn.getString("name").orElse(""), arguments);
                }
            }
            if (json.getBoolean("done").orElse(false)) {
                long input = json.getLong("prompt_eval_count").orElse(0L);
                long output = json.getLong("eval_count").orElse(0L);
                reply.usage(Usage.of(Math.max(0, input), Math.max(0, output)));
                reply.finish(doneReason(json.getString("done_reason").orElse("stop")));
            }
        }
    }
}
