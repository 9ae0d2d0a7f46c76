package dev.agentrt.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.agentrt.core.Agent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.json.TypeSchema;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One type, one schema, one binding: a record gives the same schema and the same value whether it is
 * the answer of a structured task or the parameter of a {@code @ToolMethod}, on each point where the
 * former victools set-up and the core's {@code TypeSchema} used to disagree; and the deprecated
 * {@code @Tool} binds exactly as {@code @ToolMethod}.
 */
class ToolMethodBindingTest {
    /** {@code toString()} differs from {@code name()}, to tell the two apart. */
    public enum Priority {
        LOW, HIGH, @JsonProperty("urgent")
        URGENT;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @JsonClassDescription("A line of work")
    public record Task(String title, int hours) {}

    public record Ticket(@JsonPropertyDescription("What is wrong") String title, Priority priority, List<Task> tasks,
            Optional<String> assignee, @Nullable LocalDate due, Instant opened) {}

    static final String TICKET = """
            {"title": "Broken build", "priority": "urgent", "tasks": [{"title": "bisect", "hours": 2}],
             "assignee": null, "due": "2025-06-01", "opened": "2025-05-30T08:00:00Z"}""";

    static final Ticket EXPECTED = new Ticket("Broken build", Priority.URGENT, List.of(new Task("bisect", 2)),
            Optional.empty(), LocalDate.of(2025, 6, 1), Instant.parse("2025-05-30T08:00:00Z"));

    /** Files tickets; remembers the last one. */
    public static final class Desk {
        final AtomicReference<@Nullable Ticket> last = new AtomicReference<>();

        @ToolMethod("Files a ticket")
        public String file(Ticket ticket) {
            last.set(ticket);
            return ticket.title() + " " + ticket.priority().name();
        }
    }

    private static JsonObject parameter(Tool tool, String name) {
        return tool.spec().parameters().getObject("properties").orElseThrow().getObject(name).orElseThrow();
    }

    private static JsonObject withoutRequired(JsonObject schema) {
        var members = new java.util.LinkedHashMap<String, JsonValue>();
        schema.members().forEach((name, value) -> {
            if (!name.equals("required")) {
                members.put(name, withoutRequired(value));
            }
        });
        return new JsonObject(members);
    }

    private static JsonValue withoutRequired(JsonValue value) {
        return switch (value) {
            case JsonObject o -> withoutRequired(o);
            case dev.agentrt.core.json.JsonArray a ->
                new dev.agentrt.core.json.JsonArray(
                        a.items().stream().map(ToolMethodBindingTest::withoutRequired).toList());
            default -> value;
        };
    }

    @Nested
    class SameRecordBothWays {
        @Test
        void theToolParameterHasTheLenientSchemaOfTheRecordAndStructuredOutputTheStrictOne() {
            var model = ScriptedChatModel.builder()
                    .replies(Reply.toolCall("final_answer", TICKET))
                    .recordRequests(true)
                    .build();
            Agent.builder().model(model).build().task("File it").returning(Ticket.class).executeBlocking();
            ChatRequest sent = model.requests().get(0);
            JsonObject structured = sent.tools().get(0).parameters();
            JsonObject tool = parameter(Tools.from(new Desk()).get(0), "ticket");

            assertThat(structured).isEqualTo(TypeSchema.of(Ticket.class));
            assertThat(tool).isEqualTo(TypeSchema.of(Ticket.class, TypeSchema.Mode.LENIENT));
            assertThat(withoutRequired(tool)).as("the modes differ only in what is required")
                    .isEqualTo(withoutRequired(structured));
        }

        @Test
        void theSameJsonBindsToTheSameValue() {
            var model = ScriptedChatModel.of(Reply.toolCall("final_answer", TICKET));
            Ticket answered = Agent.builder()
                    .model(model)
                    .build()
                    .task("File it")
                    .returning(Ticket.class)
                    .executeBlocking();
            var desk = new Desk();
            ToolResult filed = ToolsTest.call(Tools.from(desk), "file", "{\"ticket\": " + TICKET + "}");

            assertThat(answered).isEqualTo(EXPECTED);
            assertThat(filed).isEqualTo(ToolResult.text("Broken build URGENT"));
            assertThat(desk.last.get()).isEqualTo(answered);
        }

        @Test
        void optionalAndNullableComponentsMayBeLeftOutOfToolArgumentsButAreRequiredInStrictMode() {
            JsonObject tool = parameter(Tools.from(new Desk()).get(0), "ticket");

            assertThat(tool.get("required"))
                    .isEqualTo(JsonValue.parse("[\"title\", \"priority\", \"tasks\", \"opened\"]"));
            assertThat(TypeSchema.of(Ticket.class).get("required")).isEqualTo(JsonValue.parse("""
                    ["title", "priority", "tasks", "assignee", "due", "opened"]"""));
            var desk = new Desk();
            assertThat(ToolsTest.call(Tools.from(desk), "file", """
                    {"ticket": {"title": "t", "priority": "LOW", "tasks": [], "opened": "2025-05-30T08:00:00Z"}}"""))
                    .isEqualTo(ToolResult.text("t LOW"));
            assertThat(desk.last.get()).isEqualTo(new Ticket("t", Priority.LOW, List.of(), Optional.empty(), null,
                    Instant.parse("2025-05-30T08:00:00Z")));
        }

        @Test
        void enumsAreListedAndReadByNameOrJsonPropertyNeverByToString() {
            JsonObject priority = parameter(Tools.from(new Desk()).get(0), "ticket").getObject("properties")
                    .orElseThrow()
                    .getObject("priority")
                    .orElseThrow();

            assertThat(priority)
                    .isEqualTo(JsonValue.parse("{\"type\": \"string\", \"enum\": [\"LOW\", \"HIGH\", \"urgent\"]}"));
            assertThat(TypeSchema.of(Ticket.class).getObject("properties").orElseThrow().get("priority"))
                    .isEqualTo(priority);
            ToolResult byToString = ToolsTest.call(Tools.from(new Desk()), "file", "{\"ticket\": "
                    + TICKET.replace("\"urgent\"", "\"high\"") + "}");
            assertThat(byToString.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            assertThat(ToolsTest.call(Tools.from(new Desk()), "file", "{\"ticket\": "
                    + TICKET.replace("\"urgent\"", "\"HIGH\"") + "}"))
                    .isEqualTo(ToolResult.text("Broken build HIGH"));
            ToolResult byConstantName = ToolsTest.call(Tools.from(new Desk()), "file", "{\"ticket\": "
                    + TICKET.replace("\"urgent\"", "\"URGENT\"") + "}");
            assertThat(byConstantName.errorKind()).as("@JsonProperty renames the constant")
                    .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        }

        @Test
        void javaTimeValuesAreStringsWithTheirFormatInBothModes() {
            JsonObject properties = TypeSchema.of(Ticket.class).getObject("properties").orElseThrow();

            assertThat(properties.get("due"))
                    .isEqualTo(JsonValue.parse("{\"type\": [\"string\", \"null\"], \"format\": \"date\"}"));
            assertThat(properties.get("opened"))
                    .isEqualTo(JsonValue.parse("{\"type\": \"string\", \"format\": \"date-time\"}"));
            assertThat(parameter(Tools.from(new Desk()).get(0), "ticket").getObject("properties").orElseThrow())
                    .isEqualTo(properties);
        }
    }

    /** Maps, JSON values and classes: the types only the lenient (tool) mode admits, or both now admit. */
    public static final class Store {
        /** A class Jackson fills through its public fields. */
        public static final class Label {
            public String text = "";
            public @Nullable String colour;
        }

        @ToolMethod("Stores settings")
        public String store(Map<String, Integer> limits, JsonValue extra, Optional<Map<String, Task>> tasks,
                Label label) {
            return limits + " " + extra.toJson() + " " + tasks.map(Map::keySet).orElse(java.util.Set.of()) + " "
                    + label.text + "/" + label.colour;
        }
    }

    @Test
    void mapsJsonValuesAndClassesAreDescribedAndBound() {
        Tool store = Tools.from(new Store()).get(0);

        assertThat(store.spec().parameters()).isEqualTo(JsonValue.parse("""
                {"type": "object",
                 "properties": {"limits": {"type": "object", "additionalProperties": {"type": "integer"}},
                                "extra": {},
                                "tasks": {"type": ["object", "null"], "additionalProperties": %s},
                                "label": {"type": "object",
                                          "properties": {"text": {"type": "string"},
                                                         "colour": {"type": ["string", "null"]}},
                                          "required": ["text"], "additionalProperties": false}},
                 "required": ["limits", "extra", "label"],
                 "additionalProperties": false}""".formatted(TypeSchema.of(Task.class).toJson())));
        assertThat(ToolsTest.call(List.of(store), "store", """
                {"limits": {"cpu": 2}, "extra": [1, null], "tasks": {"a": {"title": "x", "hours": 1}},
                 "label": {"text": "red"}}""")).isEqualTo(ToolResult.text("{cpu=2} [1,null] [a] red/null"));
        assertThat(ToolsTest.call(List.of(store), "store", """
                {"limits": {"cpu": "two"}, "extra": 1, "label": {"text": "red"}}""").errorKind())
                .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
    }

    // --------------------------------------------------------------------------------------------
    // The deprecated @Tool

    /** One tool method per annotation, alike in everything else. */
    public static final class Current {
        @ToolMethod(value = "Reads a page", name = "read_page", requires = "net:docs.example", capabilities = "pageCapabilities")
        public String read(@Param("The page") String page, Optional<Integer> line) {
            return page + "@" + line.orElse(0);
        }

        public List<Capability> pageCapabilities(String page, Optional<Integer> line) {
            return List.of(Capability.custom("pages", page));
        }
    }

    /** The same method, marked with the former annotation. */
    public static final class Former {
        @SuppressWarnings("removal")
        @dev.agentrt.tools.Tool(value = "Reads a page", name = "read_page", requires = "net:docs.example", capabilities = "pageCapabilities")
        public String read(@Param("The page") String page, Optional<Integer> line) {
            return page + "@" + line.orElse(0);
        }

        public List<Capability> pageCapabilities(String page, Optional<Integer> line) {
            return List.of(Capability.custom("pages", page));
        }
    }

    @Test
    void theDeprecatedToolAnnotationBindsExactlyAsToolMethod() {
        Tool current = Tools.from(new Current()).get(0);
        Tool former = Tools.from(new Former()).get(0);
        JsonObject arguments = JsonValue.parse("{\"page\": \"intro\", \"line\": 3}").asObject();
        Capability[] grants = {Capability.net("docs.example"), Capability.custom("pages", "intro")};

        assertThat(former.spec()).isEqualTo(current.spec());
        assertThat(former.blocking()).isEqualTo(current.blocking());
        assertThat(former.requiredCapabilities(arguments)).isEqualTo(current.requiredCapabilities(arguments))
                .containsExactly(Capability.net("docs.example"), Capability.custom("pages", "intro"));
        for (String call : List.of("{\"page\": \"intro\", \"line\": 3}", "{\"page\": \"intro\"}", "{\"line\": 3}",
                "{\"page\": \"intro\", \"line\": \"three\"}")) {
            assertThat(ToolsTest.call(List.of(former), "read_page", call, grants)).as(call)
                    .isEqualTo(ToolsTest.call(List.of(current), "read_page", call, grants));
        }
        assertThat(ToolsTest.call(List.of(former), "read_page", "{\"page\": \"intro\"}", grants))
                .isEqualTo(ToolResult.text("intro@0"));
    }

    /** Both annotations on one method: a mistake, said when the tools are made. */
    public static final class Both {
        @SuppressWarnings("removal")
        @dev.agentrt.tools.Tool("old")
        @ToolMethod("new")
        public String both() {
            return "";
        }
    }

    @Test
    void aMethodMarkedWithBothAnnotationsIsRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Tools.from(new Both()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Both.both()")
                .hasMessageContaining("marked both @ToolMethod and @Tool");
    }
}
