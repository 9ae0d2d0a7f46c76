package dev.agentrt.core;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.ToolResult;

import java.util.List;

/**
 * Moved to {@link dev.agentrt.core.run.AgentJson}, beside the run journal that uses it; this class
 * delegates to it and will be removed in the next version.
 *
 * @deprecated use {@link dev.agentrt.core.run.AgentJson}
 */
@Deprecated(since = "0.2", forRemoval = true)
public final class AgentJson {
    private AgentJson() {}

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(Message message) {
        return dev.agentrt.core.run.AgentJson.write(message);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readMessage} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Message readMessage(String json) {
        return dev.agentrt.core.run.AgentJson.readMessage(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(Message message) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(message);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readMessage} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Message readMessage(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readMessage(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#writeTranscript} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String writeTranscript(List<Message> transcript) {
        return dev.agentrt.core.run.AgentJson.writeTranscript(transcript);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readTranscript} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static List<Message> readTranscript(String json) {
        return dev.agentrt.core.run.AgentJson.readTranscript(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonArray toJsonValue(List<Message> transcript) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(transcript);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readTranscript} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static List<Message> readTranscript(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readTranscript(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(AgentEvent event) {
        return dev.agentrt.core.run.AgentJson.write(event);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readEvent} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static AgentEvent readEvent(String json) {
        return dev.agentrt.core.run.AgentJson.readEvent(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(AgentEvent event) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(event);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readEvent} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static AgentEvent readEvent(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readEvent(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(AgentResult result) {
        return dev.agentrt.core.run.AgentJson.write(result);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readResult} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static AgentResult readResult(String json) {
        return dev.agentrt.core.run.AgentJson.readResult(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(AgentResult result) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(result);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readResult} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static AgentResult readResult(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readResult(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(ChatEvent event) {
        return dev.agentrt.core.run.AgentJson.write(event);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readChatEvent} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ChatEvent readChatEvent(String json) {
        return dev.agentrt.core.run.AgentJson.readChatEvent(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(ChatEvent event) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(event);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readChatEvent} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ChatEvent readChatEvent(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readChatEvent(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(ChatRequest request) {
        return dev.agentrt.core.run.AgentJson.write(request);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readChatRequest} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ChatRequest readChatRequest(String json) {
        return dev.agentrt.core.run.AgentJson.readChatRequest(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(ChatRequest request) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(request);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readChatRequest} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ChatRequest readChatRequest(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readChatRequest(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(ChatResponse response) {
        return dev.agentrt.core.run.AgentJson.write(response);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readChatResponse} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ChatResponse readChatResponse(String json) {
        return dev.agentrt.core.run.AgentJson.readChatResponse(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(ChatResponse response) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(response);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readChatResponse} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ChatResponse readChatResponse(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readChatResponse(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(Capability capability) {
        return dev.agentrt.core.run.AgentJson.write(capability);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readCapability} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Capability readCapability(String json) {
        return dev.agentrt.core.run.AgentJson.readCapability(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(Capability capability) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(capability);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readCapability} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static Capability readCapability(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readCapability(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#write} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static String write(ToolResult result) {
        return dev.agentrt.core.run.AgentJson.write(result);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readToolResult} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ToolResult readToolResult(String json) {
        return dev.agentrt.core.run.AgentJson.readToolResult(json);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#toJsonValue} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static JsonObject toJsonValue(ToolResult result) {
        return dev.agentrt.core.run.AgentJson.toJsonValue(result);
    }

    /** @deprecated use {@link dev.agentrt.core.run.AgentJson#readToolResult} */
    @Deprecated(since = "0.2", forRemoval = true)
    public static ToolResult readToolResult(JsonValue json) {
        return dev.agentrt.core.run.AgentJson.readToolResult(json);
    }

}
