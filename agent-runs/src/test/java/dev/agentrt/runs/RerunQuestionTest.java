package dev.agentrt.runs;

import static dev.agentrt.core.testing.Transcripts.toolResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.InputRequest;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Questions after whose answer the tool runs again ({@code ToolResult.inputRequired(InputRequest)}) in durable runs on
 * the SQLite store: the pause, the answer checked against its schema, the re-run that sees the answer, a process
 * dying in between, the bound on rounds, and runs that cannot pause.
 */
class RerunQuestionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ToolCall BOOK = new ToolCall("call-book", "book", "{\"flight\":\"LH 400\"}");
    private static final JsonObject SEAT = JsonObject.builder()
            .put("type", "object")
            .put("properties", JsonObject.builder()
                    .put("seat", JsonObject.builder().put("type", "string").put("pattern", "^[0-9]+[A-F]$").build())
                    .build())
            .put("required", JsonValue.parse("[\"seat\"]"))
            .build();

    @TempDir
    Path dir;

    @RegisterExtension
    final SqliteProcesses processes = new SqliteProcesses(() -> dir.resolve("runs.db"));
    /** What each run of the tool saw in its context, across every "process". */
    private final List<Seen> runs = new CopyOnWriteArrayList<>();

    private record Seen(boolean canAwaitInput, ToolContext.@Nullable Answer answer) {}

    private static ScriptedChatModel model() {
        return ScriptedChatModel.builder()
                .replies(Reply.toolCalls(BOOK), Reply.text("Booked."))
                .perConversation()
                .build();
    }

    /** Asks for a seat until it has one; then books it. */
    private Tool book() {
        return Tool.builder("book")
                .description("Books a seat on a flight.")
                .handler((args, ctx) -> Mono.fromCallable(() -> {
                    runs.add(new Seen(ctx.canAwaitInput(), ctx.answered().orElse(null)));
                    return ctx.answered()
                            .map(a -> ToolResult.text("booked seat " + text(((JsonObject) a.json()).get("seat"))
                                    + " on " + text(args.get("flight")) + " (" + a.resumeState() + ")"))
                            .orElseGet(() -> ToolResult.inputRequired("Which seat on LH 400?", SEAT, "hold-77"));
                }))
                .build();
    }

    private static String text(@Nullable JsonValue value) {
        return ((JsonValue.JsonString) Objects.requireNonNull(value)).value();
    }

    /** Never satisfied: asks again on every run. */
    private Tool insatiable() {
        return Tool.builder("book")
                .description("Books a seat on a flight.")
                .handler((args, ctx) -> Mono.fromCallable(() -> {
                    runs.add(new Seen(ctx.canAwaitInput(), ctx.answered().orElse(null)));
                    int round = ctx.answered().map(ToolContext.Answer::round).orElse(0) + 1;
                    return ToolResult.inputRequired("Question " + round, null, "r" + round);
                }))
                .build();
    }

    private static Agent agent(RunStore store, Tool tool) {
        return Agent.builder().model(model()).runStore(store).tools(tool).build();
    }

    private static int journalSize(RunStore store, String runId) {
        return store.journal(runId, 1).map(JournalEntry::entry).collectList().block(WAIT).size();
    }

    @Test
    void aQuestionPausesTheRunAndAfterAnotherProcessAnswersTheToolRunsAgainWithTheAnswer() {
        RunStore first = processes.start();
        AgentResult paused = agent(first, book()).task("Book LH 400").withId("run-seat").execute().block(WAIT);

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_INPUT);
        assertThat(first.find("run-seat").block(WAIT).status()).isEqualTo(RunStatus.AWAITING_INPUT);
        assertThat(runs).containsExactly(new Seen(true, null));
        first.close(); // the process that paused is gone

        RunStore second = processes.start();
        Agent other = agent(second, book());
        assertThat(other.pending("run-seat").collectList().block(WAIT)).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(PendingCall.Kind.INPUT);
            assertThat(p.call()).isEqualTo(BOOK);
            assertThat(p.text()).isEqualTo("Which seat on LH 400?");
            assertThat(p.answerSchema()).isEqualTo(SEAT);
        });
        other.answer("run-seat", BOOK.id(), "{\"seat\":\"12C\"}").block(WAIT);
        AgentResult done = other.resume("run-seat").execute().block(WAIT);

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.text()).isEqualTo("Booked.");
        assertThat(toolResult(done, BOOK.id())).isEqualTo(new Message.ToolResult(BOOK.id(), "book",
                "booked seat 12C on LH 400 (hold-77)", false));
        assertThat(runs).hasSize(2);
        ToolContext.Answer answer = runs.get(1).answer();
        assertThat(answer).isNotNull();
        assertThat(answer.text()).isEqualTo("{\"seat\":\"12C\"}");
        assertThat(answer.json()).isEqualTo(JsonValue.parse("{\"seat\":\"12C\"}"));
        assertThat(answer.request()).isEqualTo(new InputRequest("Which seat on LH 400?", SEAT, "hold-77"));
        assertThat(answer.round()).isEqualTo(1);
        assertThat(second.find("run-seat").block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void theReRunIsCheckedAndReportedAsANormalCallIs() {
        RunStore store = processes.start();
        var decided = new AtomicInteger();
        Tool guarded = Tool.builder("book")
                .description("Books a seat on a flight.")
                .requires(Capability.custom("bookings", "make"))
                .handler((args, ctx) -> Mono.fromCallable(() -> ctx.answered().isPresent()
                        ? ToolResult.text("booked")
                        : ToolResult.inputRequired("Which seat on LH 400?", SEAT, null)))
                .build();
        Agent agent = Agent.builder()
                .model(model())
                .runStore(store)
                .tools(guarded)
                .approvals(request -> {
                    decided.incrementAndGet();
                    return Mono.just(Decision.approveOnce());
                })
                .build();
        agent.task("Book LH 400").withId("run-events").execute().block(WAIT);
        agent.answer("run-events", BOOK.id(), "{\"seat\":\"1A\"}").block(WAIT);
        agent.resume("run-events").execute().block(WAIT);

        assertThat(decided).as("the re-run's missing capability goes to the approval handler again").hasValue(2);
        List<AgentEvent> events = agent.events("run-events", 1)
                .map(RunEvent::event)
                .collectList()
                .block(WAIT);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallRequested).hasSize(2);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallFailed f
                && f.kind() == ToolErrorKind.INPUT_REQUIRED).hasSize(1);
        assertThat(events).filteredOn(e -> e instanceof AgentEvent.ToolCallCompleted c
                && c.result().equals("booked")).hasSize(1);
    }

    @Test
    void anAnswerThatIsNotJsonOrDoesNotMatchTheSchemaIsRefusedAndNothingIsRecorded() {
        RunStore store = processes.start();
        Agent agent = agent(store, book());
        agent.task("Book LH 400").withId("run-bad").execute().block(WAIT);
        int before = journalSize(store, "run-bad");

        assertThatThrownBy(() -> agent.answer("run-bad", BOOK.id(), "12C please").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("call \"call-book\" of run \"run-bad\"")
                .hasMessageContaining("is not JSON")
                .hasMessageContaining("nothing was recorded");
        assertThatThrownBy(() -> agent.answer("run-bad", BOOK.id(), "{\"seat\":\"window\"}").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not match the question's answer schema")
                .hasMessageContaining("$.seat")
                .hasMessageContaining("nothing was recorded");
        assertThatThrownBy(() -> agent.answer("run-bad", BOOK.id(), "{}").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seat");

        assertThat(journalSize(store, "run-bad")).isEqualTo(before);
        assertThat(store.find("run-bad").block(WAIT).status()).isEqualTo(RunStatus.AWAITING_INPUT);
        assertThat(agent.pending("run-bad").collectList().block(WAIT)).hasSize(1);
        // The lease the refused answers took is given back: a good answer still goes through, and the run ends.
        agent.answer("run-bad", BOOK.id(), "{\"seat\":\"3A\"}").block(WAIT);
        assertThat(toolResult(agent.resume("run-bad").execute().block(WAIT), BOOK.id()).content())
                .isEqualTo("booked seat 3A on LH 400 (hold-77)");
    }

    @Test
    void aToolThatKeepsAskingIsStoppedAfterTheMostQuestionsOneCallMayAsk() {
        RunStore store = processes.start();
        Agent agent = agent(store, insatiable());
        AgentResult result = agent.task("Book LH 400").withId("run-ask").execute().block(WAIT);
        for (int round = 1; round <= InputRequest.MAX_ROUNDS; round++) {
            assertThat(result.outcome()).as("round %d", round).isEqualTo(Outcome.AWAITING_INPUT);
            assertThat(agent.pending("run-ask").collectList().block(WAIT)).singleElement()
                    .satisfies(p -> assertThat(p.answerSchema()).isNull())
                    .extracting(PendingCall::text)
                    .isEqualTo("Question " + round);
            agent.answer("run-ask", BOOK.id(), "answer " + round).block(WAIT);
            result = agent.resume("run-ask").execute().block(WAIT);
        }

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        Message.ToolResult stopped = toolResult(result, BOOK.id());
        assertThat(stopped.error()).isTrue();
        assertThat(stopped.content()).startsWith("Stopped: the tool asked the user " + InputRequest.MAX_ROUNDS
                + " questions in this call").endsWith("Question " + (InputRequest.MAX_ROUNDS + 1));
        assertThat(runs).hasSize(InputRequest.MAX_ROUNDS + 1);
        assertThat(runs.get(InputRequest.MAX_ROUNDS).answer()).satisfies(a -> {
            assertThat(a.text()).isEqualTo("answer " + InputRequest.MAX_ROUNDS);
            assertThat(a.json()).isNull();
            assertThat(a.resumeState()).isEqualTo("r" + InputRequest.MAX_ROUNDS);
            assertThat(a.round()).isEqualTo(InputRequest.MAX_ROUNDS);
        });
    }

    @Test
    void aReRunThatWasCutShortByACrashIsInDoubtAndNotRunAThirdTime() {
        RunStore first = processes.start();
        Sinks.One<Boolean> rerunning = Sinks.one();
        Tool hanging = Tool.builder("book")
                .description("Books a seat on a flight.")
                .handler((args, ctx) -> Mono.defer(() -> {
                    runs.add(new Seen(ctx.canAwaitInput(), ctx.answered().orElse(null)));
                    if (ctx.answered().isEmpty()) {
                        return Mono.just(ToolResult.inputRequired("Which seat on LH 400?", SEAT, "hold-77"));
                    }
                    rerunning.tryEmitValue(true);
                    return Mono.<ToolResult>never();
                }))
                .build();
        Agent agent = agent(first, hanging);
        agent.task("Book LH 400").withId("run-doubt").execute().block(WAIT);
        agent.answer("run-doubt", BOOK.id(), "{\"seat\":\"12C\"}").block(WAIT);
        Disposable run = agent.resume("run-doubt").execute().subscribe();
        rerunning.asMono().block(WAIT);
        RunStore second = processes.restart(first, run);

        AgentResult done = agent(second, book()).resume("run-doubt").execute().block(WAIT);

        assertThat(runs).as("the tool is not run a third time").hasSize(2);
        assertThat(toolResult(done, BOOK.id()).content()).contains("may or may not have taken effect");
        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
    }

    @Test
    void withoutARunStoreTheQuestionIsAnErrorResultAndTheToolKnewItCouldNotWait() {
        AgentResult result = Agent.builder().model(model()).tools(book()).build().task("Book").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        Message.ToolResult asked = toolResult(result, BOOK.id());
        assertThat(asked.error()).isTrue();
        assertThat(asked.content()).isEqualTo("The tool needs the user's answer to a question, but this run cannot "
                + "wait for one: Which seat on LH 400?");
        assertThat(runs).containsExactly(new Seen(false, null));
    }
}
