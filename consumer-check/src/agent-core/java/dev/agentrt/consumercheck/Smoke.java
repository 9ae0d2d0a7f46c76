package dev.agentrt.consumercheck;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

/**
 * agent-core on a consumer's class path: an agent task on a scripted model that calls a tool (Reactor,
 * the JSON layer), then a typed answer mapped onto a record (Jackson 3 databind).
 */
public final class Smoke {
    private Smoke() {}

    /** The typed answer of the second task. */
    public record Sum(int value, List<Integer> terms) {}

    public static void main(String[] args) {
        Tool add = Tool.builder("add")
                .description("Adds two integers")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},
                         "required":["a","b"]}""").asObject())
                .handler((a, ctx) -> Mono.just(ToolResult.text(String.valueOf(
                        a.getLong("a").orElseThrow() + a.getLong("b").orElseThrow()))))
                .build();
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("add", "{\"a\":2,\"b\":40}"), Reply.text("It is 42.")))
                .tools(add)
                .maxSteps(3)
                .build();
        AgentResult result = agent.task("What is 2 + 40?").execute().block(Duration.ofSeconds(60));
        Checks.that(result != null, "the task gave no result");
        Checks.equal("the final answer", "It is 42.", result.text());
        String toolOutput = result.transcript().stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(m -> ((Message.ToolResult) m).content())
                .findFirst()
                .orElse(null);
        Checks.equal("what the add tool returned to the model", "42", toolOutput);

        Agent typed = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("final_answer", "{\"value\":42,\"terms\":[2,40]}")))
                .maxSteps(2)
                .build();
        Sum sum = typed.task("Add 2 and 40").returning(Sum.class).execute().block(Duration.ofSeconds(60));
        Checks.equal("the typed answer", new Sum(42, List.of(2, 40)), sum);
        System.out.println("agent-core smoke test passed: a tool call and a typed answer on a scripted model");
    }
}
