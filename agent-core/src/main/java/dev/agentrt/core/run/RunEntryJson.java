package dev.agentrt.core.run;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.tool.InputRequest;

/** The JSON form of {@link RunEntry}. */
final class RunEntryJson {
    private RunEntryJson() {}

    static JsonObject toJsonValue(RunEntry entry) {
        return switch (entry) {
            case RunEntry.Appended e -> Out.tagged("appended")
                    .integer("step", e.step())
                    .object("message", e.message(), ModelJson::toJsonValue)
                    .build();
            case RunEntry.Reply e -> Out.tagged("reply")
                    .integer("step", e.step())
                    .object("message", e.message(), ModelJson::toJsonValue)
                    .name("finishReason", e.finishReason())
                    .object("usage", e.usage(), ModelJson::usage)
                    .object("failedUsage", e.failedUsage(), ModelJson::usage)
                    .build();
            case RunEntry.ToolStarted e -> Out.tagged("tool_started")
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .build();
            case RunEntry.AwaitingApproval e -> Out.tagged("awaiting_approval")
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .list("missing", e.missing(), SecurityJson::toJsonValue)
                    .string("reason", e.reason())
                    .build();
            case RunEntry.AwaitingInput e -> Out.tagged("awaiting_input")
                    .integer("step", e.step())
                    .object("call", e.call(), ModelJson::toolCall)
                    .string("question", e.question())
                    // Added later, so optional: a question after whose answer the call runs again.
                    .optional("rerun", e.request(), RunEntryJson::rerun)
                    .build();
            case RunEntry.Decided e -> Out.tagged("decided")
                    .string("callId", e.callId())
                    .object("decision", e.decision(), SecurityJson::decision)
                    .build();
            case RunEntry.Answered e -> Out.tagged("answered")
                    .string("callId", e.callId())
                    .string("text", e.text())
                    .build();
            case RunEntry.Event e -> Out.tagged("event")
                    .object("event", e.event(), EventJson::toJsonValue)
                    .build();
        };
    }

    static JsonObject rerun(InputRequest request) {
        return Out.record("rerun")
                .optional("answerSchema", request.answerSchema(), schema -> schema)
                .optionalString("resumeState", request.resumeState())
                .build();
    }

    static InputRequest rerun(String question, JsonValue json, String path) {
        In in = In.record(json, path);
        return in.create(() -> new InputRequest(question, in.optionalObject("answerSchema", RunEntryJson::schema),
                in.optionalString("resumeState")));
    }

    private static JsonObject schema(JsonValue json, String path) {
        if (json instanceof JsonObject o) {
            return o;
        }
        throw Json.expected(path, "object", json);
    }

    static RunEntry read(JsonValue json) {
        In in = In.tagged(json, "", "run_entry");
        return in.create(() -> switch (in.type()) {
            case "appended" -> new RunEntry.Appended(in.int32("step"), in.object("message", ModelJson::message));
            case "reply" -> new RunEntry.Reply(in.int32("step"), in.object("message", ModelJson::assistant),
                    in.enumValue("finishReason", FinishReason.class), in.object("usage", ModelJson::usage),
                    in.object("failedUsage", ModelJson::usage));
            case "tool_started" -> new RunEntry.ToolStarted(in.int32("step"), in.object("call", ModelJson::toolCall));
            case "awaiting_approval" -> new RunEntry.AwaitingApproval(in.int32("step"),
                    in.object("call", ModelJson::toolCall), in.list("missing", SecurityJson::capability),
                    in.string("reason"));
            case "awaiting_input" -> {
                String question = in.string("question");
                yield new RunEntry.AwaitingInput(in.int32("step"), in.object("call", ModelJson::toolCall), question,
                        in.optionalObject("rerun", (v, p) -> rerun(question, v, p)));
            }
            case "decided" -> new RunEntry.Decided(in.string("callId"), in.object("decision", SecurityJson::decision));
            case "answered" -> new RunEntry.Answered(in.string("callId"), in.string("text"));
            case "event" -> new RunEntry.Event(in.object("event", (v, p) -> EventJson.readEvent(v)));
            default -> throw in.unknownType();
        });
    }
}
