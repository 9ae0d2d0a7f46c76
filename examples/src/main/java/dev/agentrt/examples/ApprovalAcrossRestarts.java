package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;
import reactor.core.publisher.Mono;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Shows: a durable run that waits for a person across restarts. A payment needs a capability the agent was not granted
 * ({@code payments:send}), and the approval handler answers "later" ({@link Decision#defer}): the run is kept in a
 * SQLite file with its pending call, and the program exits. A later invocation, in another JVM, lists what waits,
 * approves it ({@code agent.approve}) and resumes the run ({@code agent.resume}), which makes the payment once and
 * finishes without asking the model again for the reply it already gave.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
 * Run it twice: without arguments (or with {@code start}), then with {@code approve} (or {@code deny}); an optional
 * second argument names the store file (default {@code ./agent_runs.db}).
 * You will see: first, the payment asked for and deferred and the run paused with its id; then the pending call with
 * its arguments, the decision, the payment made and the answer.
 */
public final class ApprovalAcrossRestarts {
    private ApprovalAcrossRestarts() {}

    /** The run store's file when the command line names none, in the working directory. */
    static final Path DEFAULT_STORE = Path.of("agent_runs.db");

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // [start|approve|deny] [store file]
    }

    /**
     * The recipe's agent, built the same way in every invocation: a run is resumed by an agent with the same name,
     * tools and settings. Its approval handler defers every call to a person.
     */
    static Agent agent(ChatModel model, RunStore store, AgentEvent.Listener events, PrintStream out) {
        return Agent.builder()
                .name("payments-clerk")
                .version("1")
                .model(model)
                .tools(Tools.from(new Bank(out))) // pay requires payments:send; nothing is granted
                .approvals(request -> Mono.just(Decision.defer("payments wait for a person's approval")))
                .runStore(store) // every run journaled write-ahead in the store
                .listener(events)
                .build();
    }

    /** First invocation: start the run; it pauses at the payment, and the program may exit. */
    static AgentResult start(Agent agent, PrintStream out) {
        AgentResult paused = agent.task("Pay invoice 17: 120 EUR to ACME GmbH.").executeBlocking();
        out.println("Run " + paused.runId() + " is " + paused.outcome() + "; it waits in the store for a decision.");
        return paused;
    }

    /** Later invocation: list the runs that wait, decide each pending call, resume each run to its end. */
    static List<AgentResult> decide(Agent agent, RunStore store, Decision decision, PrintStream out) {
        List<RunRecord> waiting = store.runs(RunStatus.AWAITING_APPROVAL)
                .filter(run -> run.agentName().equals(agent.name()))
                .collectList()
                .block();
        List<AgentResult> results = new ArrayList<>();
        if (waiting == null || waiting.isEmpty()) {
            out.println("No run awaits approval.");
            return results;
        }
        for (RunRecord run : waiting) {
            out.println("Run " + run.id() + " (\"" + run.input() + "\", since " + run.updated() + ") waits for:");
            for (PendingCall pending : agent.pending(run.id()).toIterable()) {
                ToolCall call = pending.call();
                out.println("  " + call.name() + " " + call.arguments() + ", which needs "
                        + pending.missing().stream().map(Capability::describe).toList() + ": " + pending.text());
                agent.approve(run.id(), call.id(), decision).block(); // recorded in the store
                out.println("  decided: " + decision.kind());
            }
            AgentResult done = agent.resume(run.id()).executeBlocking(); // continues from the journal
            out.println("Run " + run.id() + " ended " + done.outcome() + ". Answer: " + done.text());
            results.add(done);
        }
        return results;
    }

    /** The simulated payment tool. Thread-safe (prints only). */
    public static final class Bank {
        private final PrintStream out;

        Bank(PrintStream out) {
            this.out = Objects.requireNonNull(out, "out");
        }

        @ToolMethod(value = "Pays an invoice by bank transfer", requires = "payments:send")
        public String pay(@Param("Invoice number, e.g. 17") int invoice, @Param("Amount in EUR") long amountEur,
                @Param("Who is paid") String payee) {
            // The effect that must happen exactly once, whatever restarts in between.
            out.println("  [bank] transferred " + amountEur + " EUR to " + payee + " for invoice " + invoice);
            return "paid " + amountEur + " EUR to " + payee + " for invoice " + invoice + " (transfer T-" + invoice
                    + ")";
        }
    }

    /** What one invocation does, and where the store is. */
    record Command(String verb, Path store) {
        static Command parse(String... args) {
            List<String> given = Arrays.stream(args).filter(a -> !a.isBlank()).toList();
            if (given.size() > 2 || (!given.isEmpty() && !List.of("start", "approve", "deny").contains(given.get(0)))) {
                throw new IllegalArgumentException("usage: ApprovalAcrossRestarts [start|approve|deny] [store file]"
                        + " (default: start, " + DEFAULT_STORE + ")");
            }
            return new Command(given.isEmpty() ? "start" : given.get(0),
                    given.size() == 2 ? Path.of(given.get(1)) : DEFAULT_STORE);
        }
    }

    /** Runs one invocation on the configured or scripted model; {@code main} and the test call it. */
    static List<AgentResult> run(PrintStream out, Map<String, String> env, String... args) {
        Command command = Command.parse(args);
        out.println("Run store: " + command.store().toAbsolutePath());
        try (Offline offline = Offline.start(out, env);
                RunStore store = RunStore.open(command.store())) { // SQLite, one file, created if absent
            Agent agent = agent(offline.model(ApprovalAcrossRestarts::scripted), store, offline.listener(), out);
            return switch (command.verb()) {
                case "approve" -> decide(agent, store, Decision.approveOnce(), out);
                case "deny" -> decide(agent, store, Decision.deny("not approved by finance"), out);
                default -> List.of(start(agent, out));
            };
        }
    }

    /**
     * Offline: the payment first, then an answer from its result. Chosen from the request, so that a resumed run (whose
     * first reply comes from the journal) asks only for the answer.
     */
    private static ChatModel scripted() {
        return ScriptedChatModel.responding(request -> {
            Message last = request.messages().get(request.messages().size() - 1);
            if (!(last instanceof Message.ToolResult result)) {
                return Reply.toolCalls(new ToolCall("call-pay-17", "pay",
                        "{\"invoice\":17,\"amountEur\":120,\"payee\":\"ACME GmbH\"}"));
            }
            return Reply.text(result.error()
                    ? "Invoice 17 is not paid: " + result.content()
                    : "Invoice 17 is paid: 120 EUR to ACME GmbH (transfer T-17).");
        });
    }
}
