package dev.agentrt.examples.spring;

import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shop's order system as the agent's tools: a Spring bean whose {@link ToolMethod} methods become tools
 * ({@code Tools.from(bean)}). Looking an order up needs {@code orders:read}, which the agent is granted
 * ({@link AgentConfiguration}); a refund needs {@code payments:refund}, which it is not, so each refund waits for a
 * person's decision. A few sample orders, in memory. Thread-safe.
 */
@Component
public class OrderDesk {
    /** An order as the tools return it (as JSON, to the model). */
    public record Order(String id, String customer, String item, long totalCents, String status) {}

    private final Map<String, Order> orders = Map.of(
            "A-1001", new Order("A-1001", "Ada Lovelace", "espresso machine", 24_900, "delivered"),
            "A-1002", new Order("A-1002", "Alan Turing", "coffee grinder", 8_950, "shipped"),
            "A-1003", new Order("A-1003", "Grace Hopper", "milk frother", 3_400, "delivered"));
    private final Set<String> refunded = ConcurrentHashMap.newKeySet();

    @ToolMethod(value = "Looks up an order by its number: customer, item, total in cents and status", requires = "orders:read")
    public Order order(@Param("Order number, e.g. A-1001") String id) {
        Order order = orders.get(id);
        if (order == null) {
            throw new IllegalArgumentException("no order " + id + "; order numbers look like A-1001");
        }
        return refunded.contains(id)
                ? new Order(id, order.customer(), order.item(), order.totalCents(), "refunded")
                : order;
    }

    @ToolMethod(value = "Refunds an order in full to the customer's card", requires = "payments:refund")
    public String refund(@Param("Order number, e.g. A-1001") String orderId,
            @Param("Why, for the customer") String reason) {
        Order order = order(orderId);
        if (!refunded.add(orderId)) {
            return "order " + orderId + " was already refunded";
        }
        return "refunded " + order.totalCents() + " cents to " + order.customer() + " for order " + orderId + " ("
                + reason + ")";
    }

    /** Whether the refund of an order was made (what a person checks after approving). */
    public boolean refunded(String orderId) {
        return refunded.contains(orderId);
    }
}
