package dev.agentrt.core.run;

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

/** The JSON form of agent events, results and tool results. */
final class EventJson {
    private EventJson() {}

    static JsonObject toJsonValue(AgentEvent event) {
        return switch (event) {
            case AgentEvent.Started e -> Out.tagged("started")
                    .string("taskId", e.taskId())
                    .string("input", e.input())
                    .object("principal", e.principal(), SecurityJson::principal)
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
            case AgentEvent.ReasoningDelta e -> Out.tagged("reasoning_delta")
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
            case AgentEvent.ToolProgress e -> Out.tagged("tool_progress")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .number("progress", e.progress())
                    .nullableNumber("total", e.total())
                    .nullableString("message", e.message())
                    .build();
            case AgentEvent.ModelResponse e -> Out.tagged("model_response")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .name("finishReason", e.finishReason())
                    .object("usage", e.usage(), ModelJson::usage)
                    .optionalString("responseId", e.responseId())
                    .optionalString("responseModel", e.responseModel())
                    .build();
            case AgentEvent.ToolCallRequested e -> Out.tagged("tool_call_requested")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .optional("parentCallId", e.parentCallId(), JsonValue::of)
                    .build();
            case AgentEvent.PermissionGranted e -> Out.tagged("permission_granted")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .list("capabilities", e.capabilities(), SecurityJson::toJsonValue)
                    .build();
            case AgentEvent.PermissionDenied e -> Out.tagged("permission_denied")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .list("missing", e.missing(), SecurityJson::toJsonValue)
                    .string("reason", e.reason())
                    .build();
            case AgentEvent.ApprovalRequested e -> Out.tagged("approval_requested")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .list("missing", e.missing(), SecurityJson::toJsonValue)
                    .build();
            case AgentEvent.ApprovalDecided e -> Out.tagged("approval_decided")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .object("decision", e.decision(), SecurityJson::decision)
                    .build();
            case AgentEvent.SubAgentEvent e -> Out.tagged("sub_agent_event")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .string("agent", e.agent())
                    .object("event", e.event(), EventJson::toJsonValue)
                    .build();
            case AgentEvent.ToolCallCompleted e -> Out.tagged("tool_call_completed")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .string("result", e.result())
                    .integer("durationNanos", e.durationNanos())
                    .build();
            case AgentEvent.ToolCallFailed e -> Out.tagged("tool_call_failed")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .name("kind", e.kind())
                    .string("message", e.message())
                    .integer("durationNanos", e.durationNanos())
                    .build();
            case AgentEvent.StepDone e -> Out.tagged("step_done")
                    .string("taskId", e.taskId())
                    .integer("step", e.step())
                    .object("stepUsage", e.stepUsage(), ModelJson::usage)
                    .object("totalUsage", e.totalUsage(), ModelJson::usage)
                    .build();
            case AgentEvent.Completed e -> Out.tagged("completed")
                    .string("taskId", e.taskId())
                    .object("result", e.result(), EventJson::toJsonValue)
                    .build();
            case AgentEvent.Failed e -> Out.tagged("failed")
                    .string("taskId", e.taskId())
                    .string("errorType", e.errorType())
                    .string("message", e.message())
                    .object("partial", e.partial(), EventJson::toJsonValue)
                    .build();
        };
    }

    static AgentEvent readEvent(JsonValue json) {
        return readEvent(json, "");
    }

    /** An event at {@code path} of an enclosing value ("" at the top), named so in errors. */
    static AgentEvent readEvent(JsonValue json, String path) {
        In in = In.tagged(json, path, "event");
        return in.create(() -> switch (in.type()) {
            case "started" -> new AgentEvent.Started(
                    in.string("taskId"), in.string("input"), in.object("principal", SecurityJson::principal));
            case "model_request" -> new AgentEvent.ModelRequest(
                    in.string("taskId"), in.int32("step"), in.int32("messages"), in.int32("tools"));
            case "text_delta" -> new AgentEvent.TextDelta(in.string("taskId"), in.int32("step"), in.string("text"));
            case "reasoning_delta" -> new AgentEvent.ReasoningDelta(in.string("taskId"), in.int32("step"),
                    in.string("text"));
            case "model_retry" -> new AgentEvent.ModelRetry(in.string("taskId"), in.int32("step"), in.int32("retry"),
                    in.int32("status"), in.nullableString("requestId"), in.string("message"), in.int64("delayNanos"));
            case "tool_progress" -> new AgentEvent.ToolProgress(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.number("progress"), in.nullableNumber("total"),
                    in.nullableString("message"));
            case "model_response" -> new AgentEvent.ModelResponse(in.string("taskId"), in.int32("step"),
                    in.enumValue("finishReason", FinishReason.class), in.object("usage", ModelJson::usage),
                    in.optionalString("responseId"), in.optionalString("responseModel"));
            case "tool_call_requested" -> new AgentEvent.ToolCallRequested(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.optionalObject("parentCallId", Json::string));
            case "permission_granted" -> new AgentEvent.PermissionGranted(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.list("capabilities", SecurityJson::capability));
            case "permission_denied" -> new AgentEvent.PermissionDenied(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.list("missing", SecurityJson::capability),
                    in.string("reason"));
            case "approval_requested" -> new AgentEvent.ApprovalRequested(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.list("missing", SecurityJson::capability));
            case "approval_decided" -> new AgentEvent.ApprovalDecided(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.object("decision", SecurityJson::decision));
            case "sub_agent_event" -> new AgentEvent.SubAgentEvent(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.string("agent"),
                    in.object("event", EventJson::readEvent));
            case "tool_call_completed" -> new AgentEvent.ToolCallCompleted(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.string("result"), in.int64("durationNanos"));
            case "tool_call_failed" -> new AgentEvent.ToolCallFailed(in.string("taskId"), in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.enumValue("kind", ToolErrorKind.class),
                    in.string("message"), in.int64("durationNanos"));
            case "step_done" -> new AgentEvent.StepDone(in.string("taskId"), in.int32("step"),
                    in.object("stepUsage", ModelJson::usage), in.object("totalUsage", ModelJson::usage));
            case "completed" -> new AgentEvent.Completed(in.string("taskId"), in.object("result", EventJson::result));
            case "failed" -> new AgentEvent.Failed(in.string("taskId"), in.string("errorType"),
                    in.string("message"), in.object("partial", EventJson::result));
            default -> throw in.unknownType();
        });
    }

    static JsonObject toJsonValue(AgentResult result) {
        return Out.record("agent_result")
                .string("taskId", result.taskId())
                .string("text", result.text())
                .list("transcript", result.transcript(), ModelJson::toJsonValue)
                .integer("steps", result.steps())
                .object("usage", result.usage(), ModelJson::usage)
                .name("outcome", result.outcome())
                .build();
    }

    static AgentResult result(JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new AgentResult(in.string("taskId"), in.string("text"),
                in.list("transcript", ModelJson::message), in.int32("steps"), in.object("usage", ModelJson::usage),
                in.enumValue("outcome", Outcome.class)));
    }

    static JsonObject toJsonValue(ToolResult result) {
        return Out.record("tool_result")
                .string("content", result.content())
                .nullableName("errorKind", result.errorKind())
                .optionalList("media", result.media(), ModelJson::media)
                .optional("rerun", result.inputRequest(), RunEntryJson::rerun)
                .build();
    }

    static ToolResult readToolResult(JsonValue json) {
        In in = In.record(json, "tool_result");
        return in.create(() -> {
            String content = in.string("content");
            return new ToolResult(content, in.nullableEnumValue("errorKind", ToolErrorKind.class),
                    in.optionalList("media", ModelJson::media),
                    in.optionalObject("rerun", (v, p) -> RunEntryJson.rerun(content, v, p)));
        });
    }
}
