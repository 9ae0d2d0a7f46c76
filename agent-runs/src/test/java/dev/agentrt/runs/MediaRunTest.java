package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Media;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.JournalEntry;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Images and sounds in durable runs: journaled with the tool result, replayed on resume, kept by sessions. */
class MediaRunTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ToolCall SHOT = new ToolCall("call-shot", "screenshot", "{}");
    private static final Media.Image SCREEN = Media.image("image/png", new byte[]{(byte) 0x89, 'P', 'N', 'G'});
    private static final Media.Audio BEEP = Media.audio("audio/wav", new byte[]{'R', 'I', 'F', 'F'});

    @TempDir
    Path dir;

    private final List<RunStore> stores = new ArrayList<>();
    private final AtomicInteger shots = new AtomicInteger();

    @AfterEach
    void closeStores() {
        stores.forEach(RunStore::close);
    }

    private RunStore process(Instant now) {
        RunStore s = SqliteRunStore.builder(dir.resolve("runs.db")).clock(Clock.fixed(now, ZoneOffset.UTC)).build();
        stores.add(s);
        return s;
    }

    private Tool screenshot() {
        return Tool.builder("screenshot")
                .description("Takes a screenshot.")
                .handler((args, ctx) -> Mono.fromSupplier(() -> {
                    shots.incrementAndGet();
                    return ToolResult.withMedia("[screenshot attached]", List.of(SCREEN));
                }))
                .build();
    }

    @Test
    void aToolsImageReachesTheModelAndTheJournalAndSurvivesACrashBeforeTheNextReply() {
        Instant start = Instant.parse("2026-03-01T09:00:00Z");
        RunStore first = process(start);
        Sinks.One<Boolean> asked = Sinks.one();
        // The first process's model calls the tool, then never answers the request that carries its result.
        ChatModel stalling = new ChatModel() {
            final ScriptedChatModel script = ScriptedChatModel.of(Reply.toolCalls(SHOT));

            @Override
            public Flux<ChatEvent> stream(ChatRequest request) {
                if (request.messages().getLast() instanceof Message.ToolResult) {
                    asked.tryEmitValue(true);
                    return Flux.never();
                }
                return script.stream(request);
            }
        };
        Disposable run = Agent.builder()
                .model(stalling)
                .runStore(first)
                .tools(screenshot())
                .build()
                .task("What is on the screen?")
                .withId("run-shot")
                .execute()
                .subscribe();
        asked.asMono().block(WAIT);
        List<RunEntry> journal = first.journal("run-shot", 1).map(JournalEntry::entry).collectList().block(WAIT);
        first.close(); // the process dies with the model call open
        run.dispose();
        assertThat(journal).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(RunEntry.Appended.class,
                a -> assertThat(a.message()).isEqualTo(new Message.ToolResult(SHOT.id(), "screenshot",
                        "[screenshot attached]", false, List.of(SCREEN)))));

        RunStore second = process(start.plus(Duration.ofMinutes(5)));
        ScriptedChatModel model = ScriptedChatModel.of(Reply.text("A login form."));
        AgentResult result = Agent.builder()
                .model(model)
                .runStore(second)
                .tools(screenshot())
                .build()
                .resume("run-shot")
                .execute()
                .block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(shots).as("the finished tool is not run again").hasValue(1);
        assertThat(model.lastRequest().messages()).contains(new Message.ToolResult(SHOT.id(), "screenshot",
                "[screenshot attached]", false, List.of(SCREEN)));
    }

    @Test
    void aSessionKeepsTheMediaOfEarlierTurnsAcrossProcesses() {
        Instant start = Instant.parse("2026-03-01T09:00:00Z");
        RunStore first = process(start);
        Message.User question = Message.user("Here is the alarm sound and the panel.", List.of(BEEP, SCREEN));
        Agent.builder()
                .model(ScriptedChatModel.of(Reply.text("Noted.")))
                .runStore(first)
                .build()
                .session("operator-1")
                .task("Remember these.")
                .withMessages(question, Message.assistant("I have them."))
                .execute()
                .block(WAIT);
        first.close();

        RunStore second = process(start.plus(Duration.ofMinutes(1)));
        ScriptedChatModel model = ScriptedChatModel.of(Reply.text("A beep and a panel."));
        Agent.builder()
                .model(model)
                .runStore(second)
                .build()
                .session("operator-1")
                .task("What did I give you?")
                .execute()
                .block(WAIT);

        assertThat(model.lastRequest().messages()).contains(question);
    }
}
