package dev.agentrt.runs;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.run.AgentJson;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The process {@link CrashResumeTest} kills: it runs (or resumes) a task with two tools called in parallel, one
 * of them needing approval, journaled in a SQLite run store, against a fake OpenAI-compatible server. With a kill
 * point it prints {@code AT <point>} when it gets there and then waits for ever, for the parent's SIGKILL.
 * Each tool appends a line to the effects file before it answers, so the parent counts what ran.
 *
 * <p>Arguments: {@code start|resume}, the store file, the server's base URL, the kill point ({@code none} for
 * none), the effects file.
 */
public final class CrashChild {
    static final String RUN_ID = "run-crash";

    private CrashChild() {}

    public static void main(String[] args) throws Exception {
        boolean resume = args[0].equals("resume");
        Path storeFile = Path.of(args[1]);
        String baseUrl = args[2];
        String kill = resume ? "none" : args[3];
        Path effects = Path.of(args[4]);

        // The resuming process runs an hour later: the dead process's lease has expired by then.
        Clock clock = resume ? Clock.offset(Clock.systemUTC(), Duration.ofHours(1)) : Clock.systemUTC();
        try (RunStore store = SqliteRunStore.builder(storeFile).clock(clock).build()) {
            Tool lookup = Tool.builder("lookup")
                    .description("Looks an invoice up.")
                    .idempotent(true)
                    .blockingHandler((a, ctx) -> {
                        effect(effects, "lookup");
                        stopIf(kill, "mid-lookup");
                        return ToolResult.text("invoice 17: 12.50 EUR, open");
                    })
                    .build();
            Tool pay = Tool.builder("pay")
                    .description("Pays an invoice.")
                    .requires(Capability.custom("payments", "send"))
                    .blockingHandler((a, ctx) -> {
                        effect(effects, "pay");
                        stopIf(kill, "mid-pay");
                        return ToolResult.text("paid 12.50 EUR");
                    })
                    .build();
            Agent agent = Agent.builder()
                    .model(OpenAiChatModel.builder()
                            .model("gpt-4.1-mini")
                            .baseUrl(baseUrl)
                            .environment(name -> null)
                            .build())
                    .instructions("You pay invoices.")
                    .tools(lookup, pay)
                    .runStore(store)
                    .modelRetry(dev.agentrt.core.model.RetryPolicy.NONE)
                    // The reply's two calls run one after the other, so each kill point finds the other call in
                    // one known state (not started, or finished and journaled).
                    .maxConcurrentToolCalls(1)
                    .approvals(request -> Mono.fromCallable(() -> {
                        if (request.inDoubt()) {
                            // A payment that may have been made is not made again without a person.
                            return Decision.deny("it may have been paid already");
                        }
                        stopIf(kill, "awaiting-approval");
                        return Decision.approveOnce();
                    }).subscribeOn(dev.agentrt.core.AgentSchedulers.blocking()))
                    .listener(event -> {
                        if (event instanceof AgentEvent.ModelResponse r && r.step() == 1) {
                            stopIf(kill, "before-reply-journaled");
                        } else if (event instanceof AgentEvent.ToolCallRequested r && r.step() == 1
                                && r.call().name().equals("lookup")) {
                            stopIf(kill, "after-reply-journaled");
                        } else if (event instanceof AgentEvent.StepDone d && d.step() == 1) {
                            stopIf(kill, "after-results-journaled");
                        }
                    })
                    .build();
            AgentResult result = resume
                    ? agent.resume(RUN_ID).execute().block(Duration.ofMinutes(2))
                    : agent.task("Pay invoice 17").withId(RUN_ID).execute().block(Duration.ofMinutes(2));
            System.out.println("RESULT " + AgentJson.write(result));
            System.out.flush();
        }
    }

    private static void effect(Path effects, String what) {
        try {
            Files.writeString(effects, what + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** At the kill point: says so and waits for the parent's SIGKILL. */
    private static void stopIf(String kill, String point) {
        if (!kill.equals(point)) {
            return;
        }
        System.out.println("AT " + point);
        System.out.flush();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
