package dev.agentrt.core.run;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
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
    private AgentJson() {}

    // ---------------------------------------------------------------------------------- messages

    public static String write(Message message) {
        return toJsonValue(message).toJson();
    }

    /** Reads one message; throws {@link JsonParseException} for anything but a valid message. */
    public static Message readMessage(String json) {
        return readMessage(Json.parse(json, "message"));
    }

    public static JsonObject toJsonValue(Message message) {
        return ModelJson.toJsonValue(message);
    }

    public static Message readMessage(JsonValue json) {
        return ModelJson.message(json, "");
    }

    /** A conversation as a JSON array of messages. */
    public static String writeTranscript(List<Message> transcript) {
        return toJsonValue(transcript).toJson();
    }

    public static List<Message> readTranscript(String json) {
        return readTranscript(Json.parse(json, "transcript"));
    }

    public static JsonArray toJsonValue(List<Message> transcript) {
        return ModelJson.toJsonValue(transcript);
    }

    public static List<Message> readTranscript(JsonValue json) {
        return ModelJson.readTranscript(json);
    }

    // ------------------------------------------------------------------------------ agent events

    public static String write(AgentEvent event) {
        return toJsonValue(event).toJson();
    }

    public static AgentEvent readEvent(String json) {
        return readEvent(Json.parse(json, "event"));
    }

    public static JsonObject toJsonValue(AgentEvent event) {
        return EventJson.toJsonValue(event);
    }

    public static AgentEvent readEvent(JsonValue json) {
        return EventJson.readEvent(json);
    }

    // --------------------------------------------------------------------------------- principal

    public static String write(Principal principal) {
        return toJsonValue(principal).toJson();
    }

    public static Principal readPrincipal(String json) {
        return readPrincipal(Json.parse(json, "principal"));
    }

    public static JsonObject toJsonValue(Principal principal) {
        return SecurityJson.principal(principal);
    }

    public static Principal readPrincipal(JsonValue json) {
        return SecurityJson.principal(json, "principal");
    }

    // ------------------------------------------------------------------------------ run journal

    /** A journal entry as a run store keeps it. */
    public static String write(RunEntry entry) {
        return toJsonValue(entry).toJson();
    }

    public static RunEntry readRunEntry(String json) {
        return readRunEntry(Json.parse(json, "run_entry"));
    }

    public static JsonObject toJsonValue(RunEntry entry) {
        return RunEntryJson.toJsonValue(entry);
    }

    public static RunEntry readRunEntry(JsonValue json) {
        return RunEntryJson.read(json);
    }

    // ------------------------------------------------------------------------------ agent result

    public static String write(AgentResult result) {
        return toJsonValue(result).toJson();
    }

    public static AgentResult readResult(String json) {
        return readResult(Json.parse(json, "agent_result"));
    }

    public static JsonObject toJsonValue(AgentResult result) {
        return EventJson.toJsonValue(result);
    }

    public static AgentResult readResult(JsonValue json) {
        return EventJson.result(json, "agent_result");
    }

    // ------------------------------------------------------------------------------ chat events

    public static String write(ChatEvent event) {
        return toJsonValue(event).toJson();
    }

    public static ChatEvent readChatEvent(String json) {
        return readChatEvent(Json.parse(json, "chat_event"));
    }

    public static JsonObject toJsonValue(ChatEvent event) {
        return ModelJson.toJsonValue(event);
    }

    public static ChatEvent readChatEvent(JsonValue json) {
        return ModelJson.readChatEvent(json);
    }

    // ------------------------------------------------------------------------ requests, responses

    public static String write(ChatRequest request) {
        return toJsonValue(request).toJson();
    }

    public static ChatRequest readChatRequest(String json) {
        return readChatRequest(Json.parse(json, "chat_request"));
    }

    public static JsonObject toJsonValue(ChatRequest request) {
        return ModelJson.toJsonValue(request);
    }

    public static ChatRequest readChatRequest(JsonValue json) {
        return ModelJson.readChatRequest(json);
    }

    public static String write(ChatResponse response) {
        return toJsonValue(response).toJson();
    }

    public static ChatResponse readChatResponse(String json) {
        return readChatResponse(Json.parse(json, "chat_response"));
    }

    public static JsonObject toJsonValue(ChatResponse response) {
        return ModelJson.toJsonValue(response);
    }

    public static ChatResponse readChatResponse(JsonValue json) {
        return ModelJson.readChatResponse(json);
    }

    // ---------------------------------------------------------------------- capabilities, tools

    public static String write(Capability capability) {
        return toJsonValue(capability).toJson();
    }

    public static Capability readCapability(String json) {
        return readCapability(Json.parse(json, "capability"));
    }

    public static JsonObject toJsonValue(Capability capability) {
        return SecurityJson.toJsonValue(capability);
    }

    public static Capability readCapability(JsonValue json) {
        return SecurityJson.capability(json, "");
    }

    /** A tool's output as the model reads it ({@code errorKind} is {@code null} for a success). */
    public static String write(ToolResult result) {
        return toJsonValue(result).toJson();
    }

    public static ToolResult readToolResult(String json) {
        return readToolResult(Json.parse(json, "tool_result"));
    }

    public static JsonObject toJsonValue(ToolResult result) {
        return EventJson.toJsonValue(result);
    }

    public static ToolResult readToolResult(JsonValue json) {
        return EventJson.readToolResult(json);
    }
}
