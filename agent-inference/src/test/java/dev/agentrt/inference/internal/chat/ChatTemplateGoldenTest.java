package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@link ChatTemplate} end to end: agentrt's messages and tool specs, turned into the variables
 * transformers passes, render every template of the golden corpus exactly as jinja2 does (the scenarios
 * with a generation prompt, which is what a request renders).
 */
class ChatTemplateGoldenTest {
    @TestFactory
    Stream<DynamicTest> agentrtMessagesRenderAsTransformersRendersThem() {
        JsonObject corpus = JsonValue.parse(resource("scenarios.json")).asObject();
        JsonObject expected = JsonValue.parse(resource("expected.json")).asObject();
        LocalDateTime now = LocalDateTime.parse(corpus.getString("strftime_now").orElseThrow());
        List<ToolSpec> tools = new ArrayList<>();
        for (JsonValue tool : corpus.get("tools").asArray().items()) {
            JsonObject function = tool.asObject().get("function").asObject();
            tools.add(new ToolSpec(function.getString("name").orElseThrow(),
                    function.getString("description").orElseThrow(), function.get("parameters").asObject()));
        }
        List<DynamicTest> tests = new ArrayList<>();
        corpus.get("templates").asObject().members().forEach((name, tokens) -> {
            Map<String, String> special = new HashMap<>();
            tokens.asObject().members().forEach((k, v) -> special.put(k, ((JsonValue.JsonString) v).value()));
            for (JsonValue s : corpus.get("scenarios").asArray().items()) {
                JsonObject scenario = s.asObject();
                String key = name + " | " + scenario.getString("name").orElseThrow() + " | add_generation_prompt=True";
                JsonObject want = expected.get(key).asObject();
                boolean withTools = scenario.has("tools");
                tests.add(DynamicTest.dynamicTest(key, () -> {
                    ChatTemplate template = new ChatTemplate(resource(name + ".jinja"), null, special, name, () -> now);
                    List<Message> messages = messages(scenario.get("messages").asArray().items());
                    List<ToolSpec> offered = withTools ? tools : List.of();
                    if (want.has("output")) {
                        assertThat(template.render(messages, offered))
                                .isEqualTo(want.getString("output").orElseThrow());
                    } else {
                        assertThatThrownBy(() -> template.render(messages, offered))
                                .isInstanceOf(IllegalArgumentException.class)
                                .hasMessageContaining(want.getString("type").orElseThrow().equals("TemplateError")
                                        ? want.getString("error").orElseThrow()
                                        : "failed");
                    }
                }));
            }
        });
        return tests.stream();
    }

    private static List<Message> messages(List<JsonValue> items) {
        List<Message> out = new ArrayList<>();
        Map<String, ToolCall> calls = new HashMap<>();
        for (JsonValue item : items) {
            JsonObject m = item.asObject();
            String content = m.getString("content").orElseThrow();
            switch (m.getString("role").orElseThrow()) {
                case "system" -> out.add(Message.system(content));
                case "user" -> out.add(Message.user(content));
                case "assistant" -> {
                    List<ToolCall> toolCalls = new ArrayList<>();
                    if (m.has("tool_calls")) {
                        for (JsonValue c : m.get("tool_calls").asArray().items()) {
                            JsonObject function = c.asObject().get("function").asObject();
                            ToolCall call = new ToolCall(c.asObject().getString("id").orElseThrow(),
                                    function.getString("name").orElseThrow(), json(function.get("arguments")));
                            calls.put(call.id(), call);
                            toolCalls.add(call);
                        }
                    }
                    out.add(toolCalls.isEmpty() ? Message.assistant(content) : Message.assistant(content, toolCalls));
                }
                case "tool" -> out.add(Message.toolResult(calls.get(m.getString("tool_call_id").orElseThrow()),
                        content, false));
                default -> throw new IllegalArgumentException(m.toString());
            }
        }
        return out;
    }

    /** JSON text that keeps a number as written ({@code 1E+16} stays a float for the template). */
    private static String json(JsonValue value) {
        return switch (value) {
            case JsonObject o -> {
                StringBuilder out = new StringBuilder("{");
                o.members()
                        .forEach((k, v) -> out.append(out.length() > 1 ? "," : "")
                                .append(JsonValue.of(k))
                                .append(':')
                                .append(json(v)));
                yield out.append('}').toString();
            }
            case dev.agentrt.core.json.JsonArray a -> {
                StringBuilder out = new StringBuilder("[");
                a.items().forEach(v -> out.append(out.length() > 1 ? "," : "").append(json(v)));
                yield out.append(']').toString();
            }
            default -> value.toString();
        };
    }

    private static String resource(String name) {
        try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("/chat-templates/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource chat-templates/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
