package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sampling and elicitation requests a test writes itself, sent by a small server on the official TypeScript SDK
 * ({@code src/test/npm/asking-server.mjs}): the mapping of what server-everything never sends.
 */
class McpServerRequestsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static McpTransportSpec asking() {
        return McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("asking-server.mjs"));
    }

    private static Mono<ToolResult> send(McpTools tools, String tool, String params) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c1", tool, "{\"params\":" + params + "}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())));
    }

    private static ToolResult call(McpTools tools, String tool, String params) {
        return send(tools, tool, params).block(WAIT);
    }

    @Test
    void aConversationIsMappedWithItsStopSequencesAndTheHintsReachOnlyTheApprover() {
        var model = ScriptedChatModel.of(Reply.events(new ChatEvent.TextDelta("1, 2, 3"),
                new ChatEvent.UsageReport(Usage.of(12, 5)),
                new ChatEvent.Finish(FinishReason.LENGTH, "r-1", "counter-2026-01")));
        var seen = new ConcurrentLinkedQueue<McpSamplingRequest>();
        try (McpTools tools = McpTools.builder("asking", asking())
                .sampling(model, McpSamplingOptions.approvedBy(r -> {
                    seen.add(r);
                    return Mono.just(Decision.approveOnce());
                }))
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "sample", """
                    {"messages": [
                       {"role": "user", "content": {"type": "text", "text": "Hi"}},
                       {"role": "assistant", "content": {"type": "text", "text": "Hello"}},
                       {"role": "user", "content": {"type": "text", "text": "Count to 3"}}],
                     "maxTokens": 30, "stopSequences": ["4"], "includeContext": "allServers",
                     "modelPreferences": {"hints": [{"name": "claude-sonnet"}, {"name": "gpt"}],
                                          "intelligencePriority": 0.9}}
                    """);

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(JsonValue.parse(r.content())).isEqualTo(JsonValue.parse("""
                    {"model": "counter-2026-01", "role": "assistant", "stopReason": "maxTokens",
                     "content": {"type": "text", "text": "1, 2, 3"}}
                    """));
            var sent = model.lastRequest();
            assertThat(sent.messages()).containsExactly(Message.user("Hi"), Message.assistant("Hello"),
                    Message.user("Count to 3"));
            assertThat(sent.options().stopSequences()).containsExactly("4");
            assertThat(sent.options().temperature()).isNull();
            assertThat(sent.options().maxTokens()).isEqualTo(30);
            assertThat(seen).singleElement()
                    .satisfies(req -> assertThat(req.modelHints()).containsExactly("claude-sonnet", "gpt"));
        }
    }

    @Test
    void aBadTemperatureIsRefusedBeforeTheApproverOrTheModel() {
        var model = ScriptedChatModel.of(Reply.text("never sent"));
        var asked = new AtomicBoolean();
        try (McpTools tools = McpTools.builder("asking", asking())
                .sampling(model, McpSamplingOptions.approvedBy(r -> {
                    asked.set(true);
                    return Mono.just(Decision.approveOnce());
                }))
                .connect()
                .block(WAIT)) {
            ToolResult hot = call(tools, "sample", """
                    {"messages": [{"role": "user", "content": {"type": "text", "text": "Hi"}}],
                     "maxTokens": 10, "temperature": -1}
                    """);
            assertThat(hot.content()).startsWith("-32602: ").contains("temperature must be finite and not negative");

            assertThat(asked).isFalse();
            assertThat(model.requests()).isEmpty();
        }
    }

    @Test
    void anElicitationWhoseSchemaCannotBeCheckedIsRefusedWithoutAskingTheUser() {
        var asked = new AtomicBoolean();
        try (McpTools tools = McpTools.builder("asking", asking())
                .elicitation(req -> {
                    asked.set(true);
                    return Mono.just(McpElicitationAnswer.decline());
                })
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "elicit", """
                    {"message": "Your colour?",
                     "requestedSchema": {"type": "object", "properties": {"c": {"type": "colour"}}}}
                    """);
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).startsWith("-32602: ")
                    .contains("elicitation refused: the client cannot check answers against the requested schema");
            ToolResult none = call(tools, "elicit", "{\"message\": \"Anything?\"}");
            assertThat(none.content()).startsWith("-32602: ")
                    .contains("elicitation refused: the requestedSchema must be a JSON Schema of type \"object\"");
            assertThat(asked).isFalse();
        }
    }

    @Test
    void closingTheConnectionCancelsAModelCallAServerRequestStarted() throws Exception {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        ChatModel waiting = request -> Flux.<ChatEvent>never()
                .doOnSubscribe(s -> started.countDown())
                .doOnCancel(cancelled::countDown);
        McpTools tools = McpTools.builder("asking", asking())
                .sampling(waiting, McpSamplingOptions.approvedBy(r -> Mono.just(Decision.approveOnce())))
                .connect()
                .block(WAIT);
        var results = new ConcurrentLinkedQueue<ToolResult>();
        var call = send(tools, "sample", """
                {"messages": [{"role": "user", "content": {"type": "text", "text": "Hi"}}], "maxTokens": 10}
                """).subscribe(results::add);
        try {
            assertThat(started.await(60, TimeUnit.SECONDS)).as("the model was called").isTrue();
            tools.close();
            assertThat(cancelled.await(60, TimeUnit.SECONDS)).as("the model call was cancelled").isTrue();
        } finally {
            call.dispose();
            tools.close();
        }
        assertThat(results).allSatisfy(r -> assertThat(r.isError()).isTrue());
    }

    @Test
    void optionsRejectNonsense() {
        var approve = (McpSamplingApprover) r -> Mono.just(Decision.approveOnce());
        var options = McpSamplingOptions.approvedBy(approve);
        assertThat(options.maxTokens()).isEqualTo(4_096);
        assertThat(options.tokenBudget()).isEqualTo(100_000);
        assertThatThrownBy(() -> options.withMaxTokens(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxTokens must be positive, was 0");
        assertThatThrownBy(() -> options.withTokenBudget(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tokenBudget must be positive, was -5");
        assertThatThrownBy(() -> McpElicitationAnswer.accept(null))
                .isInstanceOf(NullPointerException.class);
        assertThat(List.of(McpElicitationAnswer.decline(), McpElicitationAnswer.cancel()))
                .containsExactly(new McpElicitationAnswer.Decline(), new McpElicitationAnswer.Cancel());
    }
}
