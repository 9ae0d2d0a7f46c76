package dev.agentrt.core.run;

import static dev.agentrt.core.run.Json.array;
import static dev.agentrt.core.run.Json.fail;
import static dev.agentrt.core.run.Json.list;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
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
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/** The JSON form of messages, model requests, replies and stream events, tool calls and usage. */
final class ModelJson {
    private ModelJson() {}

    static JsonObject toJsonValue(Message message) {
        return switch (message) {
            case Message.System m -> Out.tagged("system").string("text", m.text()).build();
            case Message.User m -> Out.tagged("user")
                    .string("text", m.text())
                    .optionalList("media", m.media(), ModelJson::media)
                    .build();
            case Message.Assistant m -> Out.tagged("assistant")
                    .string("text", m.text())
                    .list("toolCalls", m.toolCalls(), ModelJson::toolCall)
                    .optionalList("reasoning", m.reasoning(), ModelJson::reasoning)
                    .build();
            case Message.ToolResult m -> Out.tagged("tool_result")
                    .string("callId", m.callId())
                    .string("toolName", m.toolName())
                    .string("content", m.content())
                    .bool("error", m.error())
                    .optionalList("media", m.media(), ModelJson::media)
                    .build();
        };
    }

    /** An image or a sound: the bytes base64 as {@code data}, or an image's {@code url}. */
    static JsonObject media(Media media) {
        return switch (media) {
            case Media.Image i -> Out.tagged("image")
                    .string("mimeType", i.mimeType())
                    .optionalString("data", i.base64())
                    .optionalString("url", i.url() == null ? null : i.url().toString())
                    .build();
            case Media.Audio a -> Out.tagged("audio")
                    .string("mimeType", a.mimeType())
                    .string("data", a.base64())
                    .build();
        };
    }

    static Media media(JsonValue json, String path) {
        In in = In.tagged(json, path, "media");
        return in.create(() -> switch (in.type()) {
            case "image" -> {
                String url = in.optionalString("url");
                yield new Media.Image(in.string("mimeType"), in.optionalString("data"),
                        url == null ? null : URI.create(url));
            }
            case "audio" -> new Media.Audio(in.string("mimeType"), in.string("data"));
            default -> throw in.unknownType();
        });
    }

    static JsonArray toJsonValue(List<Message> transcript) {
        return array(transcript, ModelJson::toJsonValue);
    }

    static List<Message> readTranscript(JsonValue json) {
        return list(json, "transcript", ModelJson::message);
    }

    static JsonObject toJsonValue(ChatEvent event) {
        return switch (event) {
            case ChatEvent.TextDelta e -> Out.tagged("text_delta").string("text", e.text()).build();
            case ChatEvent.ToolCallDelta e -> Out.tagged("tool_call_delta")
                    .integer("index", e.index())
                    .nullableString("id", e.id())
                    .nullableString("name", e.name())
                    .string("argumentsFragment", e.argumentsFragment())
                    .build();
            case ChatEvent.ReasoningDelta e -> Out.tagged("reasoning_delta").string("text", e.text()).build();
            case ChatEvent.ReasoningBlock e -> Out.tagged("reasoning_block")
                    .object("reasoning", e.reasoning(), ModelJson::reasoning)
                    .build();
            case ChatEvent.UsageReport e -> Out.tagged("usage_report")
                    .object("usage", e.usage(), ModelJson::usage)
                    .build();
            case ChatEvent.Finish e -> Out.tagged("finish")
                    .name("reason", e.reason())
                    .optionalString("responseId", e.responseId())
                    .optionalString("responseModel", e.responseModel())
                    .build();
        };
    }

    static ChatEvent readChatEvent(JsonValue json) {
        In in = In.tagged(json, "", "chat_event");
        return in.create(() -> switch (in.type()) {
            case "text_delta" -> new ChatEvent.TextDelta(in.string("text"));
            case "tool_call_delta" -> new ChatEvent.ToolCallDelta(in.int32("index"), in.nullableString("id"),
                    in.nullableString("name"), in.string("argumentsFragment"));
            case "reasoning_delta" -> new ChatEvent.ReasoningDelta(in.string("text"));
            case "reasoning_block" -> new ChatEvent.ReasoningBlock(in.object("reasoning", ModelJson::reasoning));
            case "usage_report" -> new ChatEvent.UsageReport(in.object("usage", ModelJson::usage));
            case "finish" -> new ChatEvent.Finish(in.enumValue("reason", FinishReason.class),
                    in.optionalString("responseId"), in.optionalString("responseModel"));
            default -> throw in.unknownType();
        });
    }

    static JsonObject toJsonValue(ChatRequest request) {
        return Out.record("chat_request")
                .list("messages", request.messages(), ModelJson::toJsonValue)
                .list("tools", request.tools(), ModelJson::toolSpec)
                .object("options", request.options(), ModelJson::options)
                .build();
    }

    static ChatRequest readChatRequest(JsonValue json) {
        In in = In.record(json, "chat_request");
        return in.create(() -> new ChatRequest(in.list("messages", ModelJson::message),
                in.list("tools", ModelJson::toolSpec), in.object("options", ModelJson::options)));
    }

    static JsonObject toJsonValue(ChatResponse response) {
        return Out.record("chat_response")
                .object("message", response.message(), ModelJson::toJsonValue)
                .object("usage", response.usage(), ModelJson::usage)
                .name("finishReason", response.finishReason())
                .optionalString("responseId", response.responseId())
                .optionalString("responseModel", response.responseModel())
                .build();
    }

    static ChatResponse readChatResponse(JsonValue json) {
        In in = In.record(json, "chat_response");
        return in.create(() -> new ChatResponse(in.object("message", ModelJson::assistant),
                in.object("usage", ModelJson::usage), in.enumValue("finishReason", FinishReason.class),
                in.optionalString("responseId"), in.optionalString("responseModel")));
    }

    static JsonObject toolCall(ToolCall call) {
        return Out.record("tool_call")
                .string("id", call.id())
                .string("name", call.name())
                .string("arguments", call.arguments())
                .build();
    }

    static JsonObject reasoning(Reasoning reasoning) {
        return Out.record("reasoning")
                .string("provider", reasoning.provider())
                .string("text", reasoning.text())
                .nullableString("signature", reasoning.signature())
                .nullableString("encrypted", reasoning.encrypted())
                .nullableString("id", reasoning.id())
                .build();
    }

    static Reasoning reasoning(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new Reasoning(in.string("provider"), in.string("text"), in.nullableString("signature"),
                in.nullableString("encrypted"), in.nullableString("id")));
    }

    static JsonObject usage(Usage usage) {
        return Out.record("usage")
                .integer("inputTokens", usage.inputTokens())
                .integer("outputTokens", usage.outputTokens())
                .integer("cacheReadTokens", usage.cacheReadTokens())
                .integer("cacheWriteTokens", usage.cacheWriteTokens())
                .optionalInteger("reasoningTokens", usage.reasoningTokens())
                .number("cost", usage.cost())
                .build();
    }

    static JsonObject toolSpec(ToolSpec spec) {
        return Out.record("tool_spec")
                .string("name", spec.name())
                .string("description", spec.description())
                .object("parameters", spec.parameters(), Function.identity())
                .optional("outputSchema", spec.outputSchema(), Function.identity())
                .build();
    }

    static JsonObject options(ChatOptions options) {
        return Out.record("chat_options")
                .nullableInteger("maxTokens", options.maxTokens())
                .nullableNumber("temperature", options.temperature())
                .nullableNumber("topP", options.topP())
                .list("stopSequences", options.stopSequences(), JsonValue::of)
                .optional("responseFormat", options.responseFormat(), f -> JsonObject.builder()
                        .put("name", f.name())
                        .put("schema", f.schema())
                        .build())
                .build();
    }

    // Each reader takes the value and its path, the place named in error messages; "" is the top.
    static Message message(JsonValue json, String path) {
        In in = In.tagged(json, path, "message");
        return in.create(() -> switch (in.type()) {
            case "system" -> new Message.System(in.string("text"));
            case "user" -> new Message.User(in.string("text"), in.optionalList("media", ModelJson::media));
            case "assistant" -> new Message.Assistant(in.string("text"), in.list("toolCalls", ModelJson::toolCall),
                    in.optionalList("reasoning", ModelJson::reasoning));
            case "tool_result" -> new Message.ToolResult(in.string("callId"), in.string("toolName"),
                    in.string("content"), in.bool("error"), in.optionalList("media", ModelJson::media));
            default -> throw in.unknownType();
        });
    }

    static Message.Assistant assistant(JsonValue json, String path) {
        Message message = message(json, path);
        if (message instanceof Message.Assistant assistant) {
            return assistant;
        }
        throw fail(path, "expected an assistant message, got " + toJsonValue(message).get("type"));
    }

    static ToolCall toolCall(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new ToolCall(in.string("id"), in.string("name"), in.string("arguments")));
    }

    static Usage usage(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new Usage(in.int64("inputTokens"), in.int64("outputTokens"),
                in.int64("cacheReadTokens"), in.int64("cacheWriteTokens"), in.optionalInt64("reasoningTokens"),
                in.number("cost")));
    }

    static ToolSpec toolSpec(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> {
            In output = in.optionalObject("outputSchema", In::record);
            return new ToolSpec(in.string("name"), in.string("description"), in.object("parameters", In::record).object,
                    output == null ? null : output.object);
        });
    }

    static ChatOptions options(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new ChatOptions(in.nullableInt32("maxTokens"), in.nullableNumber("temperature"),
                in.nullableNumber("topP"), in.list("stopSequences", Json::string),
                in.optionalObject("responseFormat", ModelJson::responseFormat)));
    }

    static ResponseFormat responseFormat(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new ResponseFormat(in.string("name"), in.object("schema", In::record).object));
    }
}
