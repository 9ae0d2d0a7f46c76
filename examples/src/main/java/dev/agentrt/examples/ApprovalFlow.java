package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.Decision;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;
import reactor.core.publisher.Mono;

import java.io.PrintStream;
import java.util.Map;

/**
 * Shows: a human in the loop: a tool needs a capability the agent was not granted ({@code payments:refund}), so each
 * call goes to an {@link ApprovalHandler}, which approves a small refund once and denies a large one with a reason.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
 * You will see: both calls, the approval asked and decided for each, the refund made, the refusal, and the answer.
 */
public final class ApprovalFlow {
    private ApprovalFlow() {}

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // --report run.html writes an HTML report of the run
    }

    /** The recipe: a tool needing an ungranted capability, and an approval handler that decides per call. */
    static AgentResult recipe(ChatModel model, AgentEvent.Listener events, PrintStream out) {
        // Asked for each call that needs what the task lacks; in an application: a UI prompt, a chat message, a ticket.
        ApprovalHandler approver = request -> {
            long amount = JsonValue.parse(request.arguments()).asObject().getLong("amountEur").orElse(0L);
            return Mono
                    .just(amount <= 50 ? Decision.approveOnce() : Decision.deny("refunds over 50 EUR need a manager"));
        };
        Agent agent = Agent.builder()
                .model(model)
                .tools(Tools.from(new Payments())) // refund requires payments:refund; nothing is granted
                .approvals(approver)
                .listener(events) // prints each event as it happens (and records it for a report)
                .build();
        AgentResult result = agent.task("Refund order A-100 (20 EUR) and order B-200 (900 EUR).").executeBlocking();
        out.println("Answer: " + result.text());
        return result;
    }

    /** The tool. Thread-safe (no state). */
    public static final class Payments {
        @ToolMethod(value = "Refunds an order", requires = "payments:refund") // Capability.custom("payments", "refund")
        public String refund(@Param("Order id, e.g. A-100") String orderId, @Param("Amount in EUR") long amountEur) {
            return "refunded " + amountEur + " EUR on order " + orderId;
        }
    }

    /** Runs the recipe on the configured or scripted model; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env, String... args) {
        try (Offline offline = Offline.start(out, env, args)) {
            return recipe(offline.model(ApprovalFlow::scripted), offline.listener(), out);
        }
    }

    /** Offline: both refunds in one step, then the answer. */
    private static ChatModel scripted() {
        return ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("c1", "refund", "{\"orderId\":\"A-100\",\"amountEur\":20}"),
                        new ToolCall("c2", "refund", "{\"orderId\":\"B-200\",\"amountEur\":900}")),
                Reply.text(
                        "Order A-100 is refunded (20 EUR). The 900 EUR refund for B-200 needs a manager's approval."));
    }
}
