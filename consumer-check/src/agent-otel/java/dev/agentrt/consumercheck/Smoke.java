package dev.agentrt.consumercheck;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.otel.AgentTelemetry;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * agent-otel on a consumer's class path with the OpenTelemetry API only (no SDK): an instrumented agent calls a
 * tool and answers under a caller's span, and the telemetry keeps no state once the task ended.
 */
public final class Smoke {
    private Smoke() {}

    public static void main(String[] args) {
        AgentTelemetry telemetry = AgentTelemetry.builder(GlobalOpenTelemetry.get()).captureContent(true).build();
        Tool echo = Tool.builder("echo").handler((a, ctx) -> Mono.just(ToolResult.text("echoed"))).build();
        Agent agent = telemetry.instrument(Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("echo", "{}"), Reply.text("done")))
                .tools(echo)
                .build(), "smoke");
        Span request = GlobalOpenTelemetry.getTracer("consumer-check").spanBuilder("request").startSpan();
        AgentResult result;
        Scope scope = request.makeCurrent();
        try {
            result = agent.task("echo something").execute().block(Duration.ofSeconds(60));
        } finally {
            scope.close();
            request.end();
        }
        Checks.that(result != null, "the task gave no result");
        Checks.equal("the final answer", "done", result.text());
        Checks.equal("tasks the telemetry still follows", 0, telemetry.tasksInFlight());
        System.out.println("agent-otel smoke test passed: an instrumented agent on the OpenTelemetry API alone");
    }
}
