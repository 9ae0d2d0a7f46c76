package dev.agentrt.core.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

/**
 * Questions a tool asks to run again after ({@link ToolResult#inputRequired(InputRequest)}) as values, and what a
 * tool sees of them outside an agent's durable run (agent-runs' {@code RerunQuestionTest} has the runs).
 */
class InputRequestTest {
    private static final JsonObject SCHEMA = JsonObject.builder().put("type", "object").build();

    @Test
    void aQuestionToRunAgainAfterCarriesItsRequestAndIsAQuestion() {
        ToolResult asked = ToolResult.inputRequired("Which seat?", SCHEMA, "hold-77");

        assertThat(asked.isInputRequired()).isTrue();
        assertThat(asked.isError()).isTrue();
        assertThat(asked.content()).isEqualTo("Which seat?");
        assertThat(asked.inputRequest()).isEqualTo(new InputRequest("Which seat?", SCHEMA, "hold-77"));
        assertThat(ToolResult.inputRequired("Which seat?").inputRequest()).as("the answer is the result").isNull();
        assertThat(new ToolResult("x", null, List.of())).isEqualTo(ToolResult.text("x"));
    }

    @Test
    void aRequestOnAResultThatIsNotAQuestionOrAnUncompilableSchemaIsRefused() {
        var request = new InputRequest("Which seat?", null, null);
        assertThatThrownBy(() -> new ToolResult("booked", null, List.of(), request))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an inputRequest needs errorKind INPUT_REQUIRED, not null");
        assertThatThrownBy(() -> new InputRequest("Which seat?", JsonObject.builder().put("type", 7).build(), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ToolResult.inputRequired((InputRequest) null)).isInstanceOf(
                NullPointerException.class);
        assertThatThrownBy(() -> new ToolContext.Answer("12C", null, request, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("round");
    }

    @Test
    void aToolCalledOutsideAnAgentCannotAwaitInputAndHasNoAnswer() {
        var seen = new java.util.concurrent.CopyOnWriteArrayList<Object>();
        Tool tool = Tool.builder("book").handler((args, ctx) -> {
            seen.add(ctx.canAwaitInput());
            seen.add(ctx.answered());
            return Mono.just(ToolResult.inputRequired("Which seat?", SCHEMA, null));
        }).build();

        ToolResult r = ToolRegistry.of(tool)
                .execute(new ToolCall("c1", "book", "{}"), ToolExecution.of("t", Principal.ANONYMOUS, Grants.none()))
                .block(Duration.ofSeconds(30));

        assertThat(seen).containsExactly(false, java.util.Optional.empty());
        assertThat(r.inputRequest()).as("the registry gives the question as it was asked")
                .isEqualTo(new InputRequest("Which seat?", SCHEMA, null));
    }
}
