package dev.agentrt.examples.spring;

import dev.agentrt.core.Agent;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.memory.MemoryRecord;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.tools.Tools;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;

import java.util.Map;

/**
 * The application's agent, from the starter's {@code Agent.Builder} bean (preconfigured with the model, the memory and
 * the run store that {@code agentrt.*} properties configure): its tools, what it is granted, and who decides what it
 * is not. Grants are stated here, in code: the agent may read orders; a refund needs {@code payments:refund}, which it
 * is not granted, so the approval handler defers each one to a person and the run waits in the run store.
 */
@Configuration(proxyBeanMethods = false)
class AgentConfiguration {
    private static final Logger log = LoggerFactory.getLogger(AgentConfiguration.class);

    /** What the agent is granted: reading orders, nothing else. */
    static final Capability READ_ORDERS = Capability.custom("orders", "read");

    @Bean
    Agent agent(Agent.Builder builder, OrderDesk desk) {
        return builder.name("support-desk")
                .version("1")
                .instructions("You are a shop's support clerk. Look orders up before you answer; refund only when"
                        + " the customer asks for it, and say what you did.")
                .tools(Tools.from(desk))
                .grant(READ_ORDERS) // refunds (payments:refund) are not granted: a person decides each one
                .approvals(request -> Mono.just(Decision.defer("refunds wait for a person's approval")))
                .maxSteps(6)
                .build();
    }

    /** Offline: the scripted clerk, when {@code agentrt.model} names no model. */
    @Bean
    @Conditional(OfflineModel.NoModelNamed.class)
    ChatModel offlineModel() {
        log.info("agentrt.model is not set: running OFFLINE on a scripted model (replies are canned)");
        return OfflineModel.create();
    }

    /**
     * Puts the shop's policies in the agent's memory (when it has one; {@code agentrt.memory.path}), under fixed ids,
     * so that a restart replaces them rather than adding copies. The agent recalls them before each task.
     */
    @Bean
    ApplicationRunner rememberPolicies(Agent agent, ObjectProvider<Memory> memory) {
        return args -> memory.ifAvailable(m -> Mono.when(
                m.remember(new MemoryRecord("refund-policy", agent.memoryNamespace(), OfflineModel.POLICY
                        + " refunds reach the customer's card within 5 business days.", Map.of())),
                m.remember(new MemoryRecord("shipping-policy", agent.memoryNamespace(),
                        "Shipping policy: orders ship within 2 business days from Oslo.", Map.of())))
                .block());
    }
}
