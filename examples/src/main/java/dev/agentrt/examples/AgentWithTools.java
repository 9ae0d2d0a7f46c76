package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Shows: the public methods of a plain Java object as tools ({@code Tools.from(object)} over {@code @ToolMethod} methods):
 * schemas generated from the parameters, records returned as JSON, an exception turned into an error the model reads.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
 * You will see: each tool's schema, the calls with their results (one failing), and the agent's answer.
 */
public final class AgentWithTools {
    private AgentWithTools() {}

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // --report run.html writes an HTML report of the run
    }

    /** The recipe: annotate methods, turn the object into tools, give them to an agent. */
    static AgentResult recipe(ChatModel model, AgentEvent.Listener events, PrintStream out) {
        var tools = Tools.from(new Warehouse(Map.of("KB-42", 12, "MS-7", 0))); // one tool per @ToolMethod method
        tools.forEach(tool -> out.println(tool.spec().name() + ": " + tool.spec().parameters().toJson()));
        Agent agent = Agent.builder()
                .model(model)
                .instructions("You take orders. Check the stock before you reserve anything.")
                .tools(tools)
                .listener(events) // prints each event as it happens (and records it for a report)
                .build();
        AgentResult result = agent.task("Reserve 3 keyboards (KB-42) and 2 mice (MS-7).").executeBlocking();
        out.println("Answer: " + result.text());
        return result;
    }

    /** The tools: plain public methods, described for the model. Thread-safe, as tools are called concurrently. */
    public static final class Warehouse {
        private final Map<String, Integer> stock;
        private int reservations;

        Warehouse(Map<String, Integer> stock) {
            this.stock = new HashMap<>(stock);
        }

        /** What {@link #reserve} returns; the model reads it as JSON. */
        public record Reservation(String id, String sku, int quantity, int left) {}

        @ToolMethod("How many units of a product are in stock")
        public synchronized int stock(@Param("Product code, e.g. KB-42") String sku) {
            return stock.getOrDefault(sku, 0);
        }

        @ToolMethod("Reserves units of a product for an order; fails when fewer are in stock")
        public synchronized Reservation reserve(@Param("Product code") String sku,
                @Param("How many units, at least 1") int quantity) {
            int have = stock.getOrDefault(sku, 0);
            if (quantity < 1 || quantity > have) {
                throw new IllegalStateException(
                        "cannot reserve " + quantity + " of " + sku + ": " + have + " in stock");
            }
            stock.put(sku, have - quantity);
            return new Reservation("R-" + ++reservations, sku, quantity, have - quantity);
        }
    }

    /** Runs the recipe on the configured or scripted model; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env, String... args) {
        try (Offline offline = Offline.start(out, env, args)) {
            return recipe(offline.model(AgentWithTools::scripted), offline.listener(), out);
        }
    }

    /** Offline: check both products, reserve both (the mice fail), then answer. */
    private static ChatModel scripted() {
        return ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("c1", "stock", "{\"sku\":\"KB-42\"}"),
                        new ToolCall("c2", "stock", "{\"sku\":\"MS-7\"}")),
                Reply.toolCalls(new ToolCall("c3", "reserve", "{\"sku\":\"KB-42\",\"quantity\":3}"),
                        new ToolCall("c4", "reserve", "{\"sku\":\"MS-7\",\"quantity\":2}")),
                Reply.text("Reserved 3 keyboards (R-1). The mice (MS-7) are out of stock, so none are reserved."));
    }
}
