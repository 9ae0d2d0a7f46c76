package dev.agentrt.core.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

class ToolExecutionTest {
    @Test
    void builderStartsFromTheDefaultsAndToBuilderMakesVariants() {
        Grants grants = Grants.of(Capability.env("HOME"));
        ToolExecution base = ToolExecution.builder("t1", Principal.ANONYMOUS, grants).build();
        assertThat(base.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(base.access()).isSameAs(ToolAccess.ALL);
        assertThat(base.approvals()).isNull();
        assertThat(base.events()).isNull();

        ToolExecution variant = base.toBuilder().timeout(Duration.ofSeconds(2)).build();
        assertThat(variant.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(variant.grants()).isEqualTo(grants);
        assertThat(base.timeout()).as("the original is unchanged").isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refusesATimeoutThatIsNotPositive() {
        var builder = ToolExecution.builder("t1", Principal.ANONYMOUS, Grants.none()).timeout(Duration.ZERO);
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
    }

    @Test
    void anApprovalForTheTaskNeverChangesThePolicy() {
        Tool secret = Tool.builder("secret")
                .requires(Capability.env("API_TOKEN"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("ok")))
                .build();
        var asked = new AtomicInteger();
        var events = new CopyOnWriteArrayList<AgentEvent>();
        ToolExecution policy = ToolExecution.builder("t1", Principal.ANONYMOUS, Grants.none())
                .approvals(request -> {
                    asked.incrementAndGet();
                    return Mono.just(Decision.approveForTask());
                })
                .events(events::add)
                .build();
        ToolRegistry registry = ToolRegistry.of(secret);

        for (String id : new String[]{"c1", "c2"}) {
            ToolResult r = registry.execute(new ToolCall(id, "secret", "{}"), policy).block(Duration.ofSeconds(30));
            assertThat(r).isEqualTo(ToolResult.text("ok"));
        }

        assertThat(policy.grants()).isEqualTo(Grants.none());
        assertThat(asked).as("each call starts from the policy's grants").hasValue(2);
        assertThat(events).filteredOn(AgentEvent.ToolCallCompleted.class::isInstance)
                .extracting(e -> ((AgentEvent.ToolCallCompleted) e).step())
                .containsOnly(1);
    }
}
