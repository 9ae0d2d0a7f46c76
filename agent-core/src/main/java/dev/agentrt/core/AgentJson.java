package dev.agentrt.core;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
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

/**
 * Writes messages, events and results as JSON and reads them back unchanged: a run can be written
 * to a journal, replayed in a test, or resumed.
 *
 * <pre>{@code
 * task.stream().subscribe(event -> journal.println(AgentJson.write(event)));
 * ...
 * AgentEvent replayed = AgentJson.readEvent(line);   // equals the event that was written
 * }</pre>
 *
 * <p>The wire format is explicit and stable (no reflection): one JSON object per value, members
 * named and ordered like the record's components. Members of a closed family carry a snake_case
 * {@code "type"} first: {@code {"type":"user","text":"hi"}}, {@code {"type":"file_read","path":"/srv/x"}}.
 * Enums are written by {@code name()}, paths as {@code Path.toString()}, numbers as JSON numbers
 * (a {@code double} reads back bit for bit, except that {@code -0.0} reads back as {@code 0.0}),
 * {@code null} components as JSON {@code null}. Sets and maps are sorted, so the same value always
 * gives the same text. The {@code toJsonValue} and {@code readX(JsonValue)} variants embed a value in
 * a larger document, a journal line for example.
 *
 * <p>Reading is strict: every component must be present with the right JSON type (a {@code null}
 * only where the component is nullable); members not in the format are ignored. Anything else
 * throws {@link JsonParseException} with a message that names the place, such as
 * {@code tool_call_completed.step: expected integer, got string} or
 * {@code message: unknown type "robot"}.
 *
 * <p>Stateless and thread-safe; no method blocks.
 */
public final class AgentJson {
    private static final int EXCERPT = 40;

    private AgentJson() {}

    // ---------------------------------------------------------------------------------- messages

    public static String write(Message message) {
        return toJsonValue(message).toJson();
    }

    /** Reads one message; throws {@link JsonParseException} for anything but a valid message. */
    public static Message readMessage(String json) {
        return readMessage(parse(json, "message"));
    }

    public static JsonObject toJsonValue(Message message) {
        return switch (message) {
            case Message.System m -> Out.tagged("system").string("text", m.text()).build();
            case Message.User m -> Out.tagged("user").string("text", m.text()).build();
            case Message.Assistant m -> Out.tagged("assistant")
                    .string("text", m.text())
                    .list("toolCalls", m.toolCalls(), AgentJson::toolCall)
                    .build();
            case Message.ToolResult m -> Out.tagged("tool_result")
                    .string("callId", m.callId())
                    .string("toolName", m.toolName())
                    .string("content", m.content())
                    .bool("error", m.error())
                    .build();
        };
    }

    public static Message readMessage(JsonValue json) {
        return message(json, "");
    }

    /** A conversation as a JSON array of messages. */
    public static String writeTranscript(List<Message> transcript) {
        return toJsonValue(transcript).toJson();
    }

    public static List<Message> readTranscript(String json) {
        return readTranscript(parse(json, "transcript"));
    }

    public static JsonArray toJsonValue(List<Message> transcript) {
        return array(transcript, AgentJson::toJsonValue);
    }

    public static List<Message> readTranscript(JsonValue json) {
        return list(json, "transcript", AgentJson::message);
    }

    // ------------------------------------------------------------------------------ agent events

    public static String write(AgentEvent event) {
        return toJsonValue(event).toJson();
    }

    public static AgentEvent readEvent(String json) {
        return readEvent(parse(json, "event"));
    }

    public static JsonObject toJsonValue(AgentEvent event) {
        return switch (event) {
            case AgentEvent.Started e -> Out.tagged("started")
                    .string("taskId", e.taskId())
                    .string("input", e.input())
                    .object("principal", e.principal(), AgentJson::principal)
                    .build();
            case AgentEvent.ModelRequest e -> Out.tagged("model_request")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .integer("messages", e.messages())
                    .integer("tools", e.tools())
                    .build();
            case AgentEvent.TextDelta e -> Out.tagged("text_delta")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .string("text", e.text())
                    .build();
            case AgentEvent.ModelRetry e -> Out.tagged("model_retry")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .integer("retry", e.retry())
                    .integer("status", e.status())
                    .nullableString("requestId", e.requestId())
                    .string("message", e.message())
                    .integer("delayNanos", e.delayNanos())
                    .build();
            case AgentEvent.ToolCallRequested e -> Out.tagged("tool_call_requested")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), AgentJson::toolCall)
                    .build();
            case AgentEvent.PermissionGranted e -> Out.tagged("permission_granted")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), AgentJson::toolCall)
                    .list("capabilities", e.capabilities(), AgentJson::toJsonValue)
                    .build();
            case AgentEvent.PermissionDenied e -> Out.tagged("permission_denied")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), AgentJson::toolCall)
                    .list("missing", e.missing(), AgentJson::toJsonValue)
                    .string("reason", e.reason())
                    .build();
            case AgentEvent.ApprovalRequested e -> Out.tagged("approval_requested")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), AgentJson::toolCall)
                    .list("missing", e.missing(), AgentJson::toJsonValue)
                    .build();
            case AgentEvent.ApprovalDecided e -> Out.tagged("approval_decided")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), AgentJson::toolCall)
                    .object("decision", e.decision(), AgentJson::decision)
                    .build();
            case AgentEvent.ToolCallCompleted e -> Out.tagged("tool_call_completed")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), AgentJson::toolCall)
                    .string("result", e.result())
                    .integer("durationNanos", e.durationNanos())
                    .build();
            case AgentEvent.ToolCallFailed e -> Out.tagged("tool_call_failed")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), AgentJson::toolCall)
                    .name("kind", e.kind())
                    .string("message", e.message())
                    .integer("durationNanos", e.durationNanos())
                    .build();
            case AgentEvent.StepDone e -> Out.tagged("step_done")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("stepUsage", e.stepUsage(), AgentJson::usage)
                    .object("totalUsage", e.totalUsage(), AgentJson::usage)
                    .build();
            case AgentEvent.Completed e -> Out.tagged("completed")
                    .string("taskId", e.taskId())
                    .object("result", e.result(), AgentJson::toJsonValue)
                    .build();
            case AgentEvent.Failed e -> Out.tagged("failed")
                    .string("taskId", e.taskId())
                    .string("errorType", e.errorType())
                    .string("message", e.message())
                    .object("partial", e.partial(), AgentJson::toJsonValue)
                    .build();
        };
    }

    public static AgentEvent readEvent(JsonValue json) {
        In in = In.tagged(json, "", "event");
        return in.create(() -> switch (in.type()) {
            case "started" -> new AgentEvent.Started(
                    in.string("taskId"), in.string("input"), in.object("principal", AgentJson::principal));
            case "model_request" -> new AgentEvent.ModelRequest(
                    in.string("taskId"), in.int32("step"), in.int32("messages"), in.int32("tools"));
            case "text_delta" -> new AgentEvent.TextDelta(in.string("taskId"), in.int32("step"), in.string("text"));
            case "model_retry" -> new AgentEvent.ModelRetry(in.string("taskId"), in.int32("step"), in.int32("retry"),
                    in.int32("status"), in.nullableString("requestId"), in.string("message"), in.int64("delayNanos"));
            case "tool_call_requested" -> new AgentEvent.ToolCallRequested(
                    in.string("taskId"), in.int32("step"), in.object("call", AgentJson::toolCall));
            case "permission_granted" -> new AgentEvent.PermissionGranted(in.string("taskId"), in.int32("step"),
                    in.object("call", AgentJson::toolCall), in.list("capabilities", AgentJson::capability));
            case "permission_denied" -> new AgentEvent.PermissionDenied(in.string("taskId"), in.int32("step"),
                    in.object("call", AgentJson::toolCall), in.list("missing", AgentJson::capability),
                    in.string("reason"));
            case "approval_requested" -> new AgentEvent.ApprovalRequested(in.string("taskId"), in.int32("step"),
                    in.object("call", AgentJson::toolCall), in.list("missing", AgentJson::capability));
            case "approval_decided" -> new AgentEvent.ApprovalDecided(in.string("taskId"), in.int32("step"),
                    in.object("call", AgentJson::toolCall), in.object("decision", AgentJson::decision));
            case "tool_call_completed" -> new AgentEvent.ToolCallCompleted(in.string("taskId"), in.int32("step"),
                    in.object("call", AgentJson::toolCall), in.string("result"), in.int64("durationNanos"));
            case "tool_call_failed" -> new AgentEvent.ToolCallFailed(in.string("taskId"), in.int32("step"),
                    in.object("call", AgentJson::toolCall), in.enumValue("kind", ToolErrorKind.class),
                    in.string("message"), in.int64("durationNanos"));
            case "step_done" -> new AgentEvent.StepDone(in.string("taskId"), in.int32("step"),
                    in.object("stepUsage", AgentJson::usage), in.object("totalUsage", AgentJson::usage));
            case "completed" -> new AgentEvent.Completed(in.string("taskId"), in.object("result", AgentJson::result));
            case "failed" -> new AgentEvent.Failed(in.string("taskId"), in.string("errorType"),
                    in.string("message"), in.object("partial", AgentJson::result));
            default -> throw in.unknownType();
        });
    }

    // ------------------------------------------------------------------------------ agent result

    public static String write(AgentResult result) {
        return toJsonValue(result).toJson();
    }

    public static AgentResult readResult(String json) {
        return readResult(parse(json, "agent_result"));
    }

    public static JsonObject toJsonValue(AgentResult result) {
        return Out.record("agent_result")
                .string("taskId", result.taskId())
                .string("text", result.text())
                .list("transcript", result.transcript(), AgentJson::toJsonValue)
                .integer("steps", result.steps())
                .object("usage", result.usage(), AgentJson::usage)
                .name("outcome", result.outcome())
                .build();
    }

    public static AgentResult readResult(JsonValue json) {
        return result(json, "agent_result");
    }

    // ------------------------------------------------------------------------------ chat events

    public static String write(ChatEvent event) {
        return toJsonValue(event).toJson();
    }

    public static ChatEvent readChatEvent(String json) {
        return readChatEvent(parse(json, "chat_event"));
    }

    public static JsonObject toJsonValue(ChatEvent event) {
        return switch (event) {
            case ChatEvent.TextDelta e -> Out.tagged("text_delta").string("text", e.text()).build();
            case ChatEvent.ToolCallDelta e -> Out.tagged("tool_call_delta")
                    .integer("index", e.index())
                    .nullableString("id", e.id())
                    .nullableString("name", e.name())
                    .string("argumentsFragment", e.argumentsFragment())
                    .build();
            case ChatEvent.UsageReport e -> Out.tagged("usage_report")
                    .object("usage", e.usage(), AgentJson::usage)
                    .build();
            case ChatEvent.Finish e -> Out.tagged("finish").name("reason", e.reason()).build();
        };
    }

    public static ChatEvent readChatEvent(JsonValue json) {
        In in = In.tagged(json, "", "chat_event");
        return in.create(() -> switch (in.type()) {
            case "text_delta" -> new ChatEvent.TextDelta(in.string("text"));
            case "tool_call_delta" -> new ChatEvent.ToolCallDelta(in.int32("index"), in.nullableString("id"),
                    in.nullableString("name"), in.string("argumentsFragment"));
            case "usage_report" -> new ChatEvent.UsageReport(in.object("usage", AgentJson::usage));
            case "finish" -> new ChatEvent.Finish(in.enumValue("reason", FinishReason.class));
            default -> throw in.unknownType();
        });
    }

    // ------------------------------------------------------------------------ requests, responses

    public static String write(ChatRequest request) {
        return toJsonValue(request).toJson();
    }

    public static ChatRequest readChatRequest(String json) {
        return readChatRequest(parse(json, "chat_request"));
    }

    public static JsonObject toJsonValue(ChatRequest request) {
        return Out.record("chat_request")
                .list("messages", request.messages(), AgentJson::toJsonValue)
                .list("tools", request.tools(), AgentJson::toolSpec)
                .object("options", request.options(), AgentJson::options)
                .build();
    }

    public static ChatRequest readChatRequest(JsonValue json) {
        In in = In.record(json, "chat_request");
        return in.create(() -> new ChatRequest(in.list("messages", AgentJson::message),
                in.list("tools", AgentJson::toolSpec), in.object("options", AgentJson::options)));
    }

    public static String write(ChatResponse response) {
        return toJsonValue(response).toJson();
    }

    public static ChatResponse readChatResponse(String json) {
        return readChatResponse(parse(json, "chat_response"));
    }

    public static JsonObject toJsonValue(ChatResponse response) {
        return Out.record("chat_response")
                .object("message", response.message(), AgentJson::toJsonValue)
                .object("usage", response.usage(), AgentJson::usage)
                .name("finishReason", response.finishReason())
                .build();
    }

    public static ChatResponse readChatResponse(JsonValue json) {
        In in = In.record(json, "chat_response");
        return in.create(() -> new ChatResponse(in.object("message", AgentJson::assistant),
                in.object("usage", AgentJson::usage), in.enumValue("finishReason", FinishReason.class)));
    }

    // ---------------------------------------------------------------------- capabilities, tools

    public static String write(Capability capability) {
        return toJsonValue(capability).toJson();
    }

    public static Capability readCapability(String json) {
        return readCapability(parse(json, "capability"));
    }

    public static JsonObject toJsonValue(Capability capability) {
        return switch (capability) {
            case Capability.FileRead c -> Out.tagged("file_read").path("path", c.path()).build();
            case Capability.FileWrite c -> Out.tagged("file_write").path("path", c.path()).build();
            case Capability.Net c -> Out.tagged("net")
                    .string("hostPattern", c.hostPattern())
                    .integer("port", c.port())
                    .optional("privateAddresses", c.privateAddresses() ? Boolean.TRUE : null,
                            b -> JsonValue.of(b.booleanValue()))
                    .build();
            case Capability.Env c -> Out.tagged("env").string("name", c.name()).build();
            case Capability.MemoryRead c -> Out.tagged("memory_read").string("namespace", c.namespace()).build();
            case Capability.MemoryWrite c -> Out.tagged("memory_write").string("namespace", c.namespace()).build();
            case Capability.Custom c -> Out.tagged("custom")
                    .string("name", c.name())
                    .string("scope", c.scope())
                    .build();
        };
    }

    public static Capability readCapability(JsonValue json) {
        return capability(json, "");
    }

    /** A tool's output as the model reads it ({@code errorKind} is {@code null} for a success). */
    public static String write(ToolResult result) {
        return toJsonValue(result).toJson();
    }

    public static ToolResult readToolResult(String json) {
        return readToolResult(parse(json, "tool_result"));
    }

    public static JsonObject toJsonValue(ToolResult result) {
        return Out.record("tool_result")
                .string("content", result.content())
                .nullableName("errorKind", result.errorKind())
                .build();
    }

    public static ToolResult readToolResult(JsonValue json) {
        In in = In.record(json, "tool_result");
        return in.create(() -> new ToolResult(in.string("content"),
                in.nullableEnumValue("errorKind", ToolErrorKind.class)));
    }

    // ------------------------------------------------------------------- nested values, writing

    private static JsonObject toolCall(ToolCall call) {
        return Out.record("tool_call")
                .string("id", call.id())
                .string("name", call.name())
                .string("arguments", call.arguments())
                .build();
    }

    private static JsonObject usage(Usage usage) {
        return Out.record("usage")
                .integer("inputTokens", usage.inputTokens())
                .integer("outputTokens", usage.outputTokens())
                .integer("cacheReadTokens", usage.cacheReadTokens())
                .integer("cacheWriteTokens", usage.cacheWriteTokens())
                .number("cost", usage.cost())
                .build();
    }

    private static JsonObject principal(Principal principal) {
        var attributes = JsonObject.builder();
        new TreeMap<>(principal.attributes()).forEach((k, v) -> attributes.put(k, v));
        return Out.record("principal")
                .string("id", principal.id())
                .list("roles", List.copyOf(new TreeSet<>(principal.roles())), JsonValue::of)
                .object("attributes", attributes.build(), Function.identity())
                .build();
    }

    private static JsonObject decision(Decision decision) {
        return Out.record("decision").name("kind", decision.kind()).string("reason", decision.reason()).build();
    }

    private static JsonObject toolSpec(ToolSpec spec) {
        return Out.record("tool_spec")
                .string("name", spec.name())
                .string("description", spec.description())
                .object("parameters", spec.parameters(), Function.identity())
                .build();
    }

    private static JsonObject options(ChatOptions options) {
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

    // ------------------------------------------------------------------- nested values, reading
    // Each reader takes the value and its path, the place named in error messages; "" is the top.

    private static Message message(JsonValue json, String path) {
        In in = In.tagged(json, path, "message");
        return in.create(() -> switch (in.type()) {
            case "system" -> new Message.System(in.string("text"));
            case "user" -> new Message.User(in.string("text"));
            case "assistant" -> new Message.Assistant(in.string("text"), in.list("toolCalls", AgentJson::toolCall));
            case "tool_result" -> new Message.ToolResult(in.string("callId"), in.string("toolName"),
                    in.string("content"), in.bool("error"));
            default -> throw in.unknownType();
        });
    }

    private static Message.Assistant assistant(JsonValue json, String path) {
        Message message = message(json, path);
        if (message instanceof Message.Assistant assistant) {
            return assistant;
        }
        throw fail(path, "expected an assistant message, got " + toJsonValue(message).get("type"));
    }

    private static Capability capability(JsonValue json, String path) {
        In in = In.tagged(json, path, "capability");
        return in.create(() -> switch (in.type()) {
            case "file_read" -> new Capability.FileRead(in.path("path"));
            case "file_write" -> new Capability.FileWrite(in.path("path"));
            case "net" -> new Capability.Net(in.string("hostPattern"), in.int32("port"),
                    in.optionalBool("privateAddresses"));
            case "env" -> new Capability.Env(in.string("name"));
            case "memory_read" -> new Capability.MemoryRead(in.string("namespace"));
            case "memory_write" -> new Capability.MemoryWrite(in.string("namespace"));
            case "custom" -> new Capability.Custom(in.string("name"), in.string("scope"));
            default -> throw in.unknownType();
        });
    }

    private static AgentResult result(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new AgentResult(in.string("taskId"), in.string("text"),
                in.list("transcript", AgentJson::message), in.int32("steps"), in.object("usage", AgentJson::usage),
                in.enumValue("outcome", Outcome.class)));
    }

    private static ToolCall toolCall(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new ToolCall(in.string("id"), in.string("name"), in.string("arguments")));
    }

    private static Usage usage(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new Usage(in.int64("inputTokens"), in.int64("outputTokens"),
                in.int64("cacheReadTokens"), in.int64("cacheWriteTokens"), in.number("cost")));
    }

    private static Principal principal(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> {
            String id = in.string("id");
            var roles = new LinkedHashSet<>(in.list("roles", AgentJson::string));
            In attributesIn = in.object("attributes", In::record);
            var attributes = new LinkedHashMap<String, String>();
            attributesIn.object.members().keySet().forEach(name -> attributes.put(name, attributesIn.string(name)));
            return new Principal(id, roles, attributes);
        });
    }

    private static Decision decision(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new Decision(in.enumValue("kind", Decision.Kind.class), in.string("reason")));
    }

    private static ToolSpec toolSpec(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new ToolSpec(in.string("name"), in.string("description"),
                in.object("parameters", In::record).object));
    }

    private static ChatOptions options(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new ChatOptions(in.nullableInt32("maxTokens"), in.nullableNumber("temperature"),
                in.nullableNumber("topP"), in.list("stopSequences", AgentJson::string),
                in.optionalObject("responseFormat", AgentJson::responseFormat)));
    }

    private static ResponseFormat responseFormat(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new ResponseFormat(in.string("name"), in.object("schema", In::record).object));
    }

    private static String string(JsonValue json, String path) {
        if (json instanceof JsonValue.JsonString(String value)) {
            return value;
        }
        throw expected(path, "string", json);
    }

    // ---------------------------------------------------------------------------------- helpers

    private static JsonValue parse(String json, String what) {
        Objects.requireNonNull(json, "json");
        try {
            return JsonValue.parse(json);
        } catch (JsonParseException e) {
            throw new JsonParseException(what + ": " + e.getMessage(), e);
        }
    }

    private static <T> JsonArray array(List<T> items, Function<? super T, ? extends JsonValue> write) {
        var values = new ArrayList<JsonValue>(items.size());
        for (T item : items) {
            values.add(write.apply(item));
        }
        return new JsonArray(values);
    }

    private static <T> List<T> list(JsonValue json, String path, BiFunction<JsonValue, String, T> read) {
        if (!(json instanceof JsonArray array)) {
            throw expected(path, "array", json);
        }
        var items = new ArrayList<T>(array.size());
        for (int i = 0; i < array.size(); i++) {
            items.add(read.apply(array.get(i), path + "[" + i + "]"));
        }
        return items;
    }

    private static JsonParseException fail(String path, String problem) {
        return new JsonParseException(path + ": " + problem);
    }

    private static JsonParseException expected(String path, String type, JsonValue actual) {
        return fail(path, "expected " + type + ", got " + actual.typeName());
    }

    /** A short, quoted and escaped piece of untrusted text for an error message. */
    private static String excerpt(String text) {
        if (text.length() <= EXCERPT) {
            return JsonValue.of(text).toJson();
        }
        int end = Character.isHighSurrogate(text.charAt(EXCERPT - 1)) ? EXCERPT - 1 : EXCERPT;
        return JsonValue.of(text.substring(0, end) + "...").toJson();
    }

    /**
     * Builds the JSON object of one value, refusing a {@code null} where the component is not
     * nullable (records that do not check their components could otherwise write what can never
     * be read back).
     */
    private static final class Out {
        private final JsonObject.Builder builder = JsonObject.builder();
        private final String path;

        private Out(String path) {
            this.path = path;
        }

        static Out tagged(String type) {
            Out out = new Out(type);
            out.builder.put("type", type);
            return out;
        }

        static Out record(String path) {
            return new Out(path);
        }

        Out string(String name, String value) {
            return put(name, JsonValue.of(required(name, value)));
        }

        Out nullableString(String name, @Nullable String value) {
            return put(name, value == null ? JsonValue.nullValue() : JsonValue.of(value));
        }

        Out integer(String name, long value) {
            return put(name, JsonValue.of(value));
        }

        Out nullableInteger(String name, @Nullable Integer value) {
            return put(name, value == null ? JsonValue.nullValue() : JsonValue.of(value.longValue()));
        }

        Out number(String name, double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException(
                        "cannot write " + path + "." + name + ": JSON has no representation for " + value);
            }
            return put(name, JsonValue.of(value));
        }

        Out nullableNumber(String name, @Nullable Double value) {
            return value == null ? put(name, JsonValue.nullValue()) : number(name, value);
        }

        Out bool(String name, boolean value) {
            return put(name, JsonValue.of(value));
        }

        Out name(String name, Enum<?> value) {
            return put(name, JsonValue.of(required(name, value).name()));
        }

        Out nullableName(String name, @Nullable Enum<?> value) {
            return put(name, value == null ? JsonValue.nullValue() : JsonValue.of(value.name()));
        }

        Out path(String name, Path value) {
            return put(name, JsonValue.of(required(name, value).toString()));
        }

        <T> Out object(String name, T value, Function<? super T, ? extends JsonValue> write) {
            return put(name, write.apply(required(name, value)));
        }

        /** A member written only when there is a value (added to the format later; readers treat absence as null). */
        <T> Out optional(String name, @Nullable T value, Function<? super T, ? extends JsonValue> write) {
            return value == null ? this : put(name, write.apply(value));
        }

        <T> Out list(String name, List<T> items, Function<? super T, ? extends JsonValue> write) {
            return put(name, array(required(name, items), write));
        }

        JsonObject build() {
            return builder.build();
        }

        private Out put(String name, JsonValue value) {
            builder.put(name, value);
            return this;
        }

        private <T> T required(String name, @Nullable T value) {
            if (value == null) {
                throw new NullPointerException("cannot write " + path + "." + name + ": it is null");
            }
            return value;
        }
    }

    /** Reads the members of one JSON object; every failure names the member's path. */
    private static final class In {
        private final JsonObject object;
        private final String path;
        private final String where;
        private final String type;

        private In(JsonObject object, String path, String where, String type) {
            this.object = object;
            this.path = path;
            this.where = where;
            this.type = type;
        }

        /** A plain record at {@code path}. */
        static In record(JsonValue json, String path) {
            if (json instanceof JsonObject o) {
                return new In(o, path, path, "");
            }
            throw expected(path, "object", json);
        }

        /**
         * A member of a closed family, with a {@code "type"}. At the top ({@code path} empty) the
         * family names the value itself and the type names its members: {@code message: unknown
         * type "robot"}, {@code user.text: missing}.
         */
        static In tagged(JsonValue json, String path, String family) {
            String where = path.isEmpty() ? family : path;
            if (!(json instanceof JsonObject o)) {
                throw expected(where, "object", json);
            }
            String type = new In(o, where, where, "").string("type");
            return new In(o, path.isEmpty() ? type : path, where, type);
        }

        String type() {
            return type;
        }

        JsonParseException unknownType() {
            return fail(where, "unknown type " + excerpt(type));
        }

        /**
         * Runs a constructor, turning its validation failure ({@code Usage} counts, a tool name,
         * a port...) into a parse error for this value.
         */
        <T> T create(Supplier<T> constructor) {
            try {
                return constructor.get();
            } catch (IllegalArgumentException e) {
                String problem = String.valueOf(e.getMessage());
                throw new JsonParseException(
                        path + ": " + (problem.length() <= 200 ? problem : problem.substring(0, 200) + "..."), e);
            }
        }

        String string(String name) {
            return AgentJson.string(required(name), at(name));
        }

        @Nullable
        String nullableString(String name) {
            JsonValue value = required(name);
            return value instanceof JsonValue.JsonNull ? null : AgentJson.string(value, at(name));
        }

        /** A boolean member added to the format later: absent (or null) reads as false. */
        boolean optionalBool(String name) {
            JsonValue value = object.get(name);
            return value != null && !(value instanceof JsonValue.JsonNull) && bool(name);
        }

        boolean bool(String name) {
            JsonValue value = required(name);
            if (value instanceof JsonValue.JsonBoolean b) {
                return b.value();
            }
            throw expected(at(name), "boolean", value);
        }

        long int64(String name) {
            JsonValue value = required(name);
            if (value instanceof JsonValue.JsonNumber n && n.isIntegral()) {
                try {
                    return n.value().longValueExact();
                } catch (ArithmeticException e) {
                    throw fail(at(name), "integer out of range");
                }
            }
            throw expected(at(name), "integer", value);
        }

        int int32(String name) {
            long value = int64(name);
            if (value != (int) value) {
                throw fail(at(name), "integer out of range");
            }
            return (int) value;
        }

        @Nullable
        Integer nullableInt32(String name) {
            return required(name) instanceof JsonValue.JsonNull ? null : int32(name);
        }

        double number(String name) {
            JsonValue value = required(name);
            if (value instanceof JsonValue.JsonNumber n) {
                double d = n.doubleValue();
                if (!Double.isFinite(d)) {
                    throw fail(at(name), "number out of range");
                }
                return d;
            }
            throw expected(at(name), "number", value);
        }

        @Nullable
        Double nullableNumber(String name) {
            return required(name) instanceof JsonValue.JsonNull ? null : number(name);
        }

        <E extends Enum<E>> E enumValue(String name, Class<E> type) {
            String value = string(name);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(value)) {
                    return constant;
                }
            }
            throw fail(at(name), "unknown value " + excerpt(value));
        }

        <E extends Enum<E>> @Nullable E nullableEnumValue(String name, Class<E> type) {
            return required(name) instanceof JsonValue.JsonNull ? null : enumValue(name, type);
        }

        Path path(String name) {
            try {
                return Path.of(string(name));
            } catch (InvalidPathException e) {
                throw new JsonParseException(at(name) + ": not a path: " + e.getReason(), e);
            }
        }

        <T> T object(String name, BiFunction<JsonValue, String, T> read) {
            return read.apply(required(name), at(name));
        }

        <T> List<T> list(String name, BiFunction<JsonValue, String, T> read) {
            return AgentJson.list(required(name), at(name), read);
        }

        /** A member that journals written before it existed lack: missing or null both read as null. */
        <T> @Nullable T optionalObject(String name, BiFunction<JsonValue, String, T> read) {
            JsonValue value = object.get(name);
            return value == null || value instanceof JsonValue.JsonNull ? null : read.apply(value, at(name));
        }

        private JsonValue required(String name) {
            JsonValue value = object.get(name);
            if (value == null) {
                throw fail(at(name), "missing");
            }
            return value;
        }

        private String at(String name) {
            return path + "." + name;
        }
    }
}
