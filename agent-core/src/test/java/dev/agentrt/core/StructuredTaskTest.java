package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

class StructuredTaskTest {
    public enum Priority {
        LOW, HIGH
    }

    public record Line(String product, int quantity) {}

    public record Ticket(String title, Priority priority, List<Line> lines, Optional<String> assignee) {}

    static final String VALID = """
            {"title":"Broken build","priority":"HIGH","lines":[{"product":"CI","quantity":2}],"assignee":null}""";
    static final Ticket EXPECTED = new Ticket("Broken build", Priority.HIGH, List.of(new Line("CI", 2)),
            Optional.empty());

    /** A scripted model that says it constrains replies natively, as the hosted providers do. */
    static final class NativeModel implements ChatModel {
        final ScriptedChatModel script;

        NativeModel(Reply... replies) {
            this.script = ScriptedChatModel.builder().replies(replies).recordRequests(true).build();
        }

        @Override
        public boolean supportsResponseFormat() {
            return true;
        }

        @Override
        public Flux<ChatEvent> stream(ChatRequest request) {
            return script.stream(request);
        }
    }

    @Test
    void aNativeModelGetsTheSchemaAsResponseFormatAndTheAnswerIsMapped() {
        var model = new NativeModel(Reply.text(VALID));
        Agent agent = Agent.builder().model(model).build();

        StructuredResult<Ticket> result = agent.task("File a ticket")
                .returning(Ticket.class)
                .executeForResult()
                .block(Duration.ofSeconds(30));

        assertThat(result).isNotNull();
        assertThat(result.value()).isEqualTo(EXPECTED);
        assertThat(JsonValue.parse(result.result().text())).isEqualTo(JsonValue.parse(VALID));
        ChatRequest sent = model.script.requests().get(0);
        assertThat(sent.options().responseFormat()).isNotNull();
        assertThat(sent.options().responseFormat().name()).isEqualTo("Ticket");
        assertThat(sent.options().responseFormat().schema()).isEqualTo(TypeSchema.of(Ticket.class));
        assertThat(sent.tools()).isEmpty();
    }

    @Test
    void aModelWithoutNativeSupportAnswersThroughAFinalAnswerTool() {
        var model = ScriptedChatModel.builder()
                .replies(Reply.toolCall("final_answer", VALID))
                .recordRequests(true)
                .build();
        Agent agent = Agent.builder().model(model).build();

        Ticket ticket = agent.task("File a ticket").returning(Ticket.class).executeBlocking();

        assertThat(ticket).isEqualTo(EXPECTED);
        ChatRequest sent = model.requests().get(0);
        assertThat(sent.options().responseFormat()).isNull();
        assertThat(sent.tools()).extracting(ToolSpec::name).containsExactly("final_answer");
        assertThat(sent.tools().get(0).parameters()).isEqualTo(TypeSchema.of(Ticket.class));
        assertThat(sent.messages()).anySatisfy(m -> assertThat(m).isInstanceOfSatisfying(Message.System.class,
                s -> assertThat(s.text()).contains("final_answer")));
    }

    @Test
    void theFinalAnswerToolComesAfterTheAgentsOwnToolsAndAvoidsTheirNames() {
        var model = ScriptedChatModel.builder()
                .replies(Reply.toolCall("echo", "{\"text\":\"hi\"}"), Reply.toolCall("final_answer_1", VALID))
                .recordRequests(true)
                .build();
        var finalAnswer = dev.agentrt.core.tool.Tool.builder("final_answer")
                .handler((args, ctx) -> reactor.core.publisher.Mono
                        .just(dev.agentrt.core.tool.ToolResult.text("user tool")))
                .build();
        Agent agent = Agent.builder().model(model).tools(AgentTest.echo(), finalAnswer).build();

        StructuredResult<Ticket> r = agent.task("go").returning(Ticket.class).executeForResult().block();

        assertThat(r).isNotNull();
        assertThat(r.value()).isEqualTo(EXPECTED);
        assertThat(model.requests().get(0).tools()).extracting(ToolSpec::name)
                .containsExactly("echo", "final_answer", "final_answer_1");
        assertThat(AgentTest.toolResults(r.result())).extracting(Message.ToolResult::content)
                .containsExactly("echo: hi", "Final answer accepted.");
    }

    @Test
    void anInvalidAnswerIsSentBackOnceWithWhatWasWrong() {
        var model = new NativeModel(Reply.text("{\"title\":\"x\",\"priority\":\"URGENT\",\"lines\":[]}"),
                Reply.text("```json\n" + VALID + "\n```"));
        Agent agent = Agent.builder().model(model).build();

        StructuredResult<Ticket> r = agent.task("File").returning(Ticket.class).executeForResult().block();

        assertThat(r).isNotNull();
        assertThat(r.value()).isEqualTo(EXPECTED);
        assertThat(r.result().steps()).isEqualTo(2);
        List<Message> second = model.script.requests().get(1).messages();
        assertThat(second.get(second.size() - 1)).isInstanceOfSatisfying(Message.User.class, u -> assertThat(u.text())
                .contains("does not match")
                .contains("$.priority")
                .contains("missing required property \"assignee\""));
    }

    @Test
    void twoInvalidAnswersFailWithATypedErrorCarryingTheRawOutput() {
        var model = new NativeModel(Reply.text("not json at all"), Reply.text("{\"title\": 3}"));
        Agent agent = Agent.builder().model(model).build();

        StepVerifier.create(agent.task("File").returning(Ticket.class).execute())
                .expectErrorSatisfies(e -> {
                    assertThat(e).isInstanceOf(StructuredOutputException.class)
                            .hasMessageContaining("did not match")
                            .hasMessageContaining("Ticket");
                    var s = (StructuredOutputException) e;
                    assertThat(s.rawOutput()).isEqualTo("{\"title\": 3}");
                    assertThat(s.problems()).anySatisfy(p -> assertThat(p).contains("$.title"));
                    assertThat(s.partialResult().outcome()).isEqualTo(Outcome.INVALID_OUTPUT);
                    assertThat(s.partialResult().steps()).isEqualTo(2);
                })
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void anInvalidFinalAnswerCallGetsAnErrorResultAndOtherCallsStillRun() {
        var model = ScriptedChatModel.builder()
                .replies(Reply.toolCalls(new ToolCall("c1", "echo", "{\"text\":\"a\"}"),
                        new ToolCall("c2", "final_answer", "{\"title\":\"x\"}")),
                        Reply.toolCall("final_answer", VALID))
                .recordRequests(true)
                .build();
        Agent agent = Agent.builder().model(model).tools(AgentTest.echo()).build();

        StructuredResult<Ticket> r = agent.task("go").returning(Ticket.class).executeForResult().block();

        assertThat(r).isNotNull();
        assertThat(r.value()).isEqualTo(EXPECTED);
        List<Message.ToolResult> results = AgentTest.toolResults(r.result());
        assertThat(results.get(0).content()).isEqualTo("echo: a");
        assertThat(results.get(1).callId()).isEqualTo("c2");
        assertThat(results.get(1).error()).isTrue();
        assertThat(results.get(1).content()).contains("missing required property \"priority\"");
    }

    @Test
    void aPlainTextAnswerInFallbackModeIsAskedToUseTheTool() {
        var model = ScriptedChatModel.builder()
                .replies(Reply.text("The ticket is about a broken build."), Reply.toolCall("final_answer", VALID))
                .recordRequests(true)
                .build();
        Agent agent = Agent.builder().model(model).build();

        assertThat(agent.task("go").returning(Ticket.class).executeBlocking()).isEqualTo(EXPECTED);
        List<Message> second = model.requests().get(1).messages();
        assertThat(second.get(second.size() - 1)).isInstanceOfSatisfying(Message.User.class,
                u -> assertThat(u.text()).contains("not JSON").contains("calling the tool final_answer"));
    }

    @Test
    void typesWithoutASchemaAreRefusedWhenTheTaskIsMade() {
        Agent agent = Agent.builder().model(ScriptedChatModel.of(Reply.text("{}"))).build();

        assertThatThrownBy(() -> agent.task("go").returning(java.util.Map.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> agent.task("go").returning(String.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStreamedRunEndsWithTheAnswerAsJson() {
        Agent agent = Agent.builder().model(ScriptedChatModel.of(Reply.toolCall("final_answer", VALID))).build();

        List<AgentEvent> events = agent.task("go").returning(Ticket.class).stream().collectList().block();

        assertThat(events).isNotNull();
        assertThat(events.get(events.size() - 1)).isInstanceOfSatisfying(AgentEvent.Completed.class,
                c -> assertThat(JsonValue.parse(c.result().text())).isEqualTo(JsonValue.parse(VALID)));
    }
}
