package dev.agentrt.core;

import static dev.agentrt.core.ModelRetryTest.COUNT_CALL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ModelRetryTest.Script;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryQuery;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task given prior messages: a failed run's transcript is continued (one system prompt, one input,
 * no tool run twice), a finished conversation gets the input as a new turn.
 */
class TaskContinuationTest {
    static final Message.System INSTRUCTIONS = Message.system("Be brief.");
    static final Message.ToolResult COUNT_RESULT = new Message.ToolResult("call_1", "count", "ran 1", false);

    final AtomicInteger toolRuns = new AtomicInteger();

    Agent agent(ChatModel model) {
        Tool count = Tool.builder("count")
                .handler((args, ctx) -> Mono.fromCallable(() -> ToolResult.text("ran " + toolRuns.incrementAndGet())))
                .build();
        return Agent.builder()
                .model(model)
                .instructions(INSTRUCTIONS.text())
                .tools(count)
                .modelRetry(RetryPolicy.NONE)
                .build();
    }

    static AgentResult failure(Mono<AgentResult> run) {
        var partial = new java.util.concurrent.atomic.AtomicReference<AgentResult>();
        StepVerifier.create(run)
                .expectErrorSatisfies(e -> partial.set(((ModelException) e).partialResult().orElseThrow()))
                .verify(Duration.ofSeconds(30));
        return partial.get();
    }

    @Test
    void aRunThatFailedAfterItsToolsRanIsContinuedWithoutRunningThemAgain() {
        var model = new Script(ModelRetryTest::toolCallReply,
                () -> ModelRetryTest.brokenReply(ModelRetryTest.connectionReset()),
                () -> ModelRetryTest.textReply("Counted once."));
        Agent agent = agent(model);
        AgentResult partial = failure(agent.task("go").execute());
        assertThat(partial.transcript()).containsExactly(INSTRUCTIONS, Message.user("go"),
                Message.assistant("", List.of(COUNT_CALL)), COUNT_RESULT);

        AgentResult resumed = agent.task("go").withMessages(partial.transcript()).executeBlocking();

        assertThat(resumed.text()).isEqualTo("Counted once.");
        assertThat(resumed.steps()).isEqualTo(1);
        assertThat(toolRuns).hasValue(1);
        assertThat(model.requests).hasSize(3);
        assertThat(model.requests.get(2).messages()).as("the model is asked once more with the same conversation")
                .isEqualTo(model.requests.get(1).messages())
                .containsExactlyElementsOf(partial.transcript());
        assertThat(resumed.transcript()).containsExactly(INSTRUCTIONS, Message.user("go"),
                Message.assistant("", List.of(COUNT_CALL)), COUNT_RESULT, Message.assistant("Counted once."));
    }

    @Test
    void aRunThatFailedBeforeTheModelAnsweredIsContinuedWithoutAddingTheInputAgain() {
        var model = new Script(() -> Flux.error(new ModelException("overloaded", 529, null, true, null)),
                () -> ModelRetryTest.textReply("Hello there."));
        Agent agent = agent(model);
        AgentResult partial = failure(agent.task("hi").execute());
        assertThat(partial.transcript()).containsExactly(INSTRUCTIONS, Message.user("hi"));

        agent.task("hi").withMessages(partial.transcript()).executeBlocking();

        assertThat(model.requests.get(1).messages()).containsExactly(INSTRUCTIONS, Message.user("hi"));
    }

    @Test
    void aFinishedConversationGetsTheInputAsANewTurnWithOneSystemPrompt() {
        var model = ScriptedChatModel.of(ScriptedChatModel.Reply.text("Hello."),
                ScriptedChatModel.Reply.text("Hello again."));
        Agent agent = agent(model);
        AgentResult first = agent.task("hi").executeBlocking();

        agent.task("hi").withMessages(first.transcript()).executeBlocking();

        assertThat(model.lastRequest().messages()).containsExactly(INSTRUCTIONS, Message.user("hi"),
                Message.assistant("Hello."), Message.user("hi"));
    }

    @Test
    void aDifferentInputAfterToolResultsIsAddedAfterThem() {
        var model = new Script(ModelRetryTest::toolCallReply,
                () -> ModelRetryTest.brokenReply(ModelRetryTest.connectionReset()),
                () -> ModelRetryTest.textReply("Checked B too."));
        Agent agent = agent(model);
        AgentResult partial = failure(agent.task("go").execute());

        agent.task("Also check B").withMessages(partial.transcript()).executeBlocking();

        assertThat(model.requests.get(2).messages()).containsExactly(INSTRUCTIONS, Message.user("go"),
                Message.assistant("", List.of(COUNT_CALL)), COUNT_RESULT, Message.user("Also check B"));
        assertThat(toolRuns).hasValue(1);
    }

    @Test
    void theLoopsOwnSystemMessagesAreAddedOnlyWhenThePriorMessagesLackThem() {
        Memory memory = new Memory() {
            @Override
            public Mono<List<MemoryHit>> recall(MemoryQuery query) {
                return Mono.just(List.of(new MemoryHit(MemoryRecord.of("default", "The build uses Maven", Map.of()),
                        0.9)));
            }

            @Override
            public Mono<String> remember(MemoryRecord record) {
                return Mono.just("id");
            }

            @Override
            public Mono<Boolean> forget(String namespace, String id) {
                return Mono.just(false);
            }
        };
        var model = new Script(() -> Flux.error(new ModelException("overloaded", 529, null, true, null)),
                () -> ModelRetryTest.textReply("Maven, I said."));
        Agent agent = agent(model).toBuilder().memory(memory).build();
        AgentResult partial = failure(agent.task("Which build tool?").execute());
        assertThat(partial.transcript()).hasSize(3).first().isEqualTo(INSTRUCTIONS);

        agent.task("Which build tool?").withMessages(partial.transcript()).executeBlocking();
        assertThat(model.requests.get(1).messages()).as("instructions and recalled memory once each")
                .containsExactlyElementsOf(partial.transcript());

        // A system message of the caller's own does not stand in for the agent's instructions.
        agent.task("Which build tool?").withMessages(Message.system("Answer in French.")).executeBlocking();
        assertThat(model.requests.get(2).messages()).hasSize(4)
                .startsWith(INSTRUCTIONS, partial.transcript().get(1), Message.system("Answer in French."))
                .endsWith(Message.user("Which build tool?"));
    }

    @Test
    void priorMessagesWithAToolCallThatHasNoResultAreRefusedNamingTheCall() {
        var model = ScriptedChatModel.of(ScriptedChatModel.Reply.text("never asked"));
        Agent agent = agent(model);
        var second = new ToolCall("call_2", "count", "{}");
        List<Message> unanswered = List.of(Message.user("go"), Message.assistant("", List.of(COUNT_CALL, second)),
                COUNT_RESULT);

        assertThatThrownBy(() -> agent.task("go").withMessages(unanswered))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("messages[1] is an assistant turn whose tool calls [call_2] have no tool result after "
                        + "it: add a Message.toolResult for each call (the transcript of a partial result always has "
                        + "them)");
        assertThatThrownBy(() -> agent.task("go")
                .withMessages(Message.user("go"),
                        Message.assistant("", List.of(COUNT_CALL)), Message.user("and?"), COUNT_RESULT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[call_1]");
        assertThat(model.requests()).isEmpty();
        assertThat(toolRuns).hasValue(0);
    }

    @Test
    void continuesRunOnlyWhenTheModelHasYetToAnswerThisSameInput() {
        var call = Message.assistant("", List.of(COUNT_CALL));
        assertThat(TaskRun.continuesRun(List.of(), "go")).isFalse();
        assertThat(TaskRun.continuesRun(List.of(INSTRUCTIONS, Message.user("go")), "go")).isTrue();
        assertThat(TaskRun.continuesRun(List.of(Message.user("go"), call, COUNT_RESULT), "go")).isTrue();
        assertThat(TaskRun.continuesRun(List.of(Message.user("go"), call, COUNT_RESULT), "stop")).isFalse();
        assertThat(TaskRun.continuesRun(List.of(Message.user("go"), Message.assistant("done")), "go")).isFalse();
        assertThat(TaskRun.continuesRun(List.of(Message.user("go"), Message.user("faster")), "go")).isFalse();
        assertThat(TaskRun.continuesRun(List.of(INSTRUCTIONS), "go")).isFalse();
        assertThat(TaskRun.continuesRun(List.of(call, COUNT_RESULT), "go")).isFalse();
    }
}
