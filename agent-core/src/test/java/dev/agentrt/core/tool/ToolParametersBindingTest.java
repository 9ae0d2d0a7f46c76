package dev.agentrt.core.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** {@code Tool.builder(name).parameters(MyRecord.class)}: the schema from the record, a typed, validated argument. */
class ToolParametersBindingTest {
    public enum Unit {
        CELSIUS, FAHRENHEIT;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Query(@JsonPropertyDescription("City name") String city, Optional<Unit> unit,
            @Nullable LocalDate day, Map<String, String> hints) {}

    private final List<Query> received = new CopyOnWriteArrayList<>();

    private Tool weather() {
        return Tool.builder("weather")
                .description("Weather for a city")
                .parameters(Query.class)
                .requires(q -> List.of(Capability.net(q.city().toLowerCase(java.util.Locale.ROOT) + ".example")))
                .handler((query, context) -> {
                    received.add(query);
                    return Mono.just(ToolResult.text(query.city() + " " + query.unit().orElse(Unit.CELSIUS).name()));
                })
                .build();
    }

    private static ToolResult call(Tool tool, String arguments, Capability... grants) {
        return ToolRegistry.of(List.of(tool))
                .execute(new ToolCall("call-1", tool.spec().name(), arguments),
                        ToolExecution.of("task-1", Principal.ANONYMOUS, Grants.of(grants)))
                .block(Duration.ofSeconds(20));
    }

    @Test
    void theSchemaIsTheLenientSchemaOfTheRecord() {
        Tool tool = weather();

        assertThat(tool.spec().parameters()).isEqualTo(TypeSchema.of(Query.class, TypeSchema.Mode.LENIENT));
        assertThat(tool.spec().parameters()).isEqualTo(JsonValue.parse("""
                {"type": "object",
                 "properties": {"city": {"type": "string", "description": "City name"},
                                "unit": {"anyOf": [{"type": "string", "enum": ["CELSIUS", "FAHRENHEIT"]},
                                                   {"type": "null"}]},
                                "day": {"type": ["string", "null"], "format": "date"},
                                "hints": {"type": "object", "additionalProperties": {"type": "string"}}},
                 "required": ["city", "hints"],
                 "additionalProperties": false}"""));
        assertThat(tool.spec().description()).isEqualTo("Weather for a city");
        assertThat(tool.blocking()).isFalse();
    }

    @Test
    void theHandlerReceivesTheArgumentsBoundToTheRecord() {
        ToolResult result = call(weather(), """
                {"city": "Oslo", "unit": "FAHRENHEIT", "day": "2025-05-01", "hints": {"wind": "yes"}}""",
                Capability.net("oslo.example"));

        assertThat(result).isEqualTo(ToolResult.text("Oslo FAHRENHEIT"));
        assertThat(received).containsExactly(
                new Query("Oslo", Optional.of(Unit.FAHRENHEIT), LocalDate.of(2025, 5, 1), Map.of("wind", "yes")));
    }

    @Test
    void leftOutOptionalPropertiesAreEmptyOrNull() {
        assertThat(call(weather(), "{\"city\": \"Rome\", \"hints\": {}}", Capability.net("rome.example")))
                .isEqualTo(ToolResult.text("Rome CELSIUS"));
        assertThat(received).containsExactly(new Query("Rome", Optional.empty(), null, Map.of()));
    }

    @Test
    void capabilitiesAreComputedFromTheBoundArguments() {
        ToolResult denied = call(weather(), "{\"city\": \"Oslo\", \"hints\": {}}", Capability.net("rome.example"));

        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(received).isEmpty();
    }

    @Test
    void badArgumentsGiveTheModelAnInvalidArgumentsResultAndTheHandlerIsNotCalled() {
        Capability grant = Capability.net("*");
        // The enum is read by name, as the schema lists it, not by toString().
        ToolResult badEnum = call(weather(), "{\"city\": \"Oslo\", \"unit\": \"celsius\", \"hints\": {}}", grant);
        ToolResult missing = call(weather(), "{\"unit\": \"CELSIUS\", \"hints\": {}}", grant);
        // Valid against the schema, which says only "format": "date"; the binding refuses it.
        ToolResult badDate = call(weather(), "{\"city\": \"Oslo\", \"day\": \"tomorrow\", \"hints\": {}}", grant);

        assertThat(List.of(badEnum, missing, badDate))
                .allSatisfy(r -> assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS));
        assertThat(badEnum.content()).contains("$.unit", "CELSIUS");
        assertThat(missing.content()).contains("missing required property \"city\"");
        assertThat(badDate.content()).startsWith("Invalid arguments for tool \"weather\": ")
                .contains("tomorrow")
                .endsWith("Call it again with one JSON object that matches its parameter schema.");
        assertThat(received).isEmpty();
    }

    @Test
    void aDirectInvocationValidatesToo() {
        Tool tool = Tool.builder("weather")
                .parameters(Query.class)
                .handler((query, context) -> Mono.just(ToolResult.text(query.city())))
                .build();

        StepVerifier.create(tool.invoke(JsonValue.parse("{\"city\": 7, \"hints\": {}}").asObject(), null))
                .assertNext(r -> {
                    assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
                    assertThat(r.content()).contains("$.city");
                })
                .verifyComplete();
    }

    @Test
    void aBlockingHandlerRunsOnTheBlockingScheduler() {
        var threads = new CopyOnWriteArrayList<String>();
        Tool tool = Tool.builder("weather")
                .parameters(Query.class)
                .blockingHandler((query, context) -> {
                    threads.add(Thread.currentThread().getName());
                    return ToolResult.text("blocking " + query.city());
                })
                .build();

        assertThat(tool.blocking()).isTrue();
        assertThat(call(tool, "{\"city\": \"Lyon\", \"hints\": {}}")).isEqualTo(ToolResult.text("blocking Lyon"));
        assertThat(threads).singleElement().satisfies(name -> assertThat(name).startsWith("agentrt-blocking-"));
    }

    @Test
    void theModelReadsTheErrorAndCanCallAgain() {
        var model = ScriptedChatModel.of(Reply.toolCall("weather", "{\"city\": \"Oslo\"}"),
                Reply.toolCall("weather", "{\"city\": \"Oslo\", \"hints\": {}}"), Reply.text("done"));
        Agent agent = Agent.builder().model(model).tools(weather()).grant(Capability.net("oslo.example")).build();

        AgentResult result = agent.task("weather in Oslo").executeBlocking();

        assertThat(result.text()).isEqualTo("done");
        List<Message.ToolResult> results = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
        assertThat(results).hasSize(2);
        assertThat(results.get(0).error()).isTrue();
        assertThat(results.get(0).content()).contains("missing required property \"hints\"");
        assertThat(results.get(1).content()).isEqualTo("Oslo CELSIUS");
    }

    @Test
    void parametersOfATypeThatCannotBeDescribedAreRejectedNamingTheTool() {
        record Untyped(Object value) {}

        assertThatThrownBy(() -> Tool.builder("odd").parameters(Untyped.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tool 'odd': cannot describe its parameters: Untyped.value: java.lang.Object"
                        + " is not supported");
        assertThatThrownBy(() -> Tool.builder("odd").parameters(String.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.String is not supported");
    }

    @Test
    void parametersMustComeBeforeAJsonHandler() {
        var builder = Tool.builder("late")
                .handler((JsonObject args, ToolContext ctx) -> Mono.just(ToolResult.text("")));

        assertThatThrownBy(() -> builder.parameters(Query.class)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("before the handler");
        assertThatThrownBy(() -> Tool.builder("none").parameters(Query.class).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("tool 'none': handler is not set");
    }
}
