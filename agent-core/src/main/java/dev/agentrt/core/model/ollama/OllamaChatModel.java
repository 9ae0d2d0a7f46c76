package dev.agentrt.core.model.ollama;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.internal.http.HostedSettings;
import dev.agentrt.core.internal.http.LineDecoder;
import dev.agentrt.core.internal.http.ProviderHttp;
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

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A client for Ollama's native chat API ({@code POST /api/chat}, newline-delimited JSON), for
 * Ollama servers run without their OpenAI-compatible endpoint. (With it, {@code OpenAiChatModel}
 * and a {@code baseUrl} of {@code http://localhost:11434/v1} work too.)
 *
 * <pre>{@code
 * ChatModel local = OllamaChatModel.builder().model("qwen3:4b").build();   // http://localhost:11434
 * }</pre>
 *
 * <p>Ollama sends each tool call whole (arguments as an object) and without an id; calls get ids
 * {@code call_0}, {@code call_1}... in reply order. A stream must end with a {@code "done": true}
 * line; one that stops before it is an error. Structured output uses {@code format} with the JSON
 * Schema. Thread-safe; a key (for a proxy in front of Ollama) is sent as a bearer token and never
 * printed.
 */
public final class OllamaChatModel extends HostedChatModel {
    /** Where Ollama listens by default; {@code OLLAMA_HOST} (host, host:port or a URL) overrides it. */
    public static final String DEFAULT_BASE_URL = "http://localhost:11434";

    private static final int DEFAULT_PORT = 11434;

    private static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    private final Builder settings;

    private OllamaChatModel(Builder snapshot, HostedSettings s) {
        super(s, "/api/chat", "application/x-ndjson",
                transport("Ollama at " + s.baseUrl().getHost(), s, "Authorization", "Bearer ", Map.of()));
        this.settings = snapshot;
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

    /** A non-streamed reply is one line of the streamed form, the one with {@code "done": true}. */
    @Override
    protected ChatResponse response(String body, @Nullable String requestId) {
        var assembler = new ReplyAssembler();
        var decoder = new StreamDecoder(requestId);
        decoder.onLine(body.strip(), assembler::accept);
        decoder.end(assembler::accept);
        return assembler.finish();
    }

    @Override
    protected String body(ChatRequest request, boolean stream) {
        ChatOptions o = request.options().orElse(defaults);
        var b = JsonObject.builder().put("model", modelName()).put("messages", messages(request.messages()));
        if (!request.tools().isEmpty()) {
            b.put("tools", functionTools(request.tools()));
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

    private static JsonArray messages(List<Message> messages) {
        var out = new ArrayList<JsonValue>(messages.size());
        for (Message m : messages) {
            out.add(switch (m) {
                case Message.System s -> JsonObject.builder().put("role", "system").put("content", s.text()).build();
                case Message.User u -> JsonObject.builder().put("role", "user").put("content", u.text()).build();
                case Message.Assistant a -> {
                    var msg = JsonObject.builder().put("role", "assistant").put("content", a.text());
                    if (a.hasToolCalls()) {
                        var calls = new ArrayList<JsonValue>(a.toolCalls().size());
                        for (ToolCall c : a.toolCalls()) {
                            calls.add(JsonObject.builder()
                                    .put("function", JsonObject.builder()
                                            .put("name", c.name())
                                            .put("arguments", ProviderHttp.argumentsObject(c.arguments()))
                                            .build())
                                    .build());
                        }
                        msg.put("tool_calls", new JsonArray(calls));
                    }
                    yield msg.build();
                }
                case Message.ToolResult r -> JsonObject.builder()
                        .put("role", "tool")
                        .put("tool_name", r.toolName())
                        .put("content", r.content())
                        .build();
            });
        }
        return new JsonArray(out);
    }

    static FinishReason doneReason(String reason) {
        return switch (reason) {
            case "stop" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }

    /** Decodes one NDJSON reply, ending at the line with {@code "done": true}. */
    private final class StreamDecoder implements ProviderHttp.StreamDecoder<ChatEvent> {
        private final LineDecoder lines = new LineDecoder(MAX_LINE_BYTES);
        private final @Nullable String requestId;
        private int calls;
        private boolean started;
        private boolean done;

        StreamDecoder(@Nullable String requestId) {
            this.requestId = requestId;
        }

        @Override
        public void feed(ByteBuffer buffer, Consumer<ChatEvent> out) {
            try {
                lines.feed(buffer, line -> onLine(line, out));
            } catch (LineDecoder.TooLargeException e) {
                throw http.broken(e.getMessage(), requestId, e);
            }
        }

        @Override
        public void end(Consumer<ChatEvent> out) {
            lines.end(line -> onLine(line, out));
            if (!done) {
                throw http.broken(started
                        ? "the stream ended before its final (\"done\": true) line; the reply is incomplete"
                        : "the stream ended without any line", requestId, null);
            }
        }

        void onLine(String line, Consumer<ChatEvent> out) {
            if (done || line.isEmpty()) {
                return;
            }
            JsonObject json = http.object(line, requestId, "a stream line");
            if (json.get("error") != null) {
                throw http.replyError("sent an error", json, requestId);
            }
            started = true;
            JsonObject message = json.getObject("message").orElse(JsonObject.EMPTY);
            String content = message.getString("content").orElse("");
            if (!content.isEmpty()) {
                out.accept(ChatEvent.text(content));
            }
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
                    out.accept(new ChatEvent.ToolCallDelta(index,
                            tc.getString("id").filter(id -> !id.isEmpty()).orElse("call_" + index),
                            fn.getString("name").orElse(""), arguments));
                }
            }
            if (json.getBoolean("done").orElse(false)) {
                done = true;
                long input = json.getLong("prompt_eval_count").orElse(0L);
                long output = json.getLong("eval_count").orElse(0L);
                out.accept(new ChatEvent.UsageReport(Usage.of(Math.max(0, input), Math.max(0, output))));
                out.accept(ChatEvent.finish(doneReason(json.getString("done_reason").orElse("stop"))));
            }
        }
    }

    /** Builds an {@link OllamaChatModel}; {@code model} is required. */
    public static final class Builder extends HostedModelBuilder<Builder> {
        private Builder() {}

        @Override
        protected Builder self() {
            return this;
        }

        public OllamaChatModel build() {
            // OLLAMA_HOST is resolved on a copy: this builder keeps no trace of one build's environment.
            Builder resolved = new Builder().copyOf(this);
            if (!hasBaseUrl()) {
                String host = env("OLLAMA_HOST");
                if (host != null) {
                    resolved.baseUrl(hostUrl(host));
                }
            }
            HostedSettings s = resolved.settings("OLLAMA_API_KEY", "OLLAMA_BASE_URL", DEFAULT_BASE_URL, "qwen3:4b");
            return new OllamaChatModel(new Builder().copyOf(this), s);
        }

        /**
         * {@code OLLAMA_HOST} read the way the ollama command reads it: a URL as given; otherwise
         * {@code host[:port]} over http, where a missing port is Ollama's (a server set up with
         * {@code OLLAMA_HOST=0.0.0.0} still listens on 11434) and a missing host is this machine.
         */
        static String hostUrl(String host) {
            if (host.contains("://")) {
                return host;
            }
            String value = host.startsWith(":") ? "localhost" + host : host;
            int slash = value.indexOf('/');
            String authority = slash < 0 ? value : value.substring(0, slash);
            try {
                URI uri = new URI("http://" + authority);
                if (uri.getHost() != null && uri.getPort() == -1) {
                    return "http://" + authority + ":" + DEFAULT_PORT + value.substring(authority.length());
                }
            } catch (URISyntaxException unreadable) {
                // baseUrl(...) rejects it with its own message.
            }
            return "http://" + value;
        }

        private Builder copyOf(Builder other) {
            return from(other);
        }
    }
}
