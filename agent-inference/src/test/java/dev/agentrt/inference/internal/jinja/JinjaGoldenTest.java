package dev.agentrt.inference.internal.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Every chat template of the golden corpus ({@code src/test/resources/chat-templates}) rendered for
 * every scenario, compared byte for byte with what jinja2 renders as transformers sets it up
 * ({@code expected.json}, made by {@code src/test/python/render_golden.py}).
 */
class JinjaGoldenTest {
    /** Renderings known to differ, with the reason; one that starts to match fails the run. */
    private static final Map<String, String> KNOWN_FAILURES = Map.of();

    @TestFactory
    Stream<DynamicTest> everyTemplateRendersEveryScenarioAsJinja2Does() {
        JsonObject corpus = json("scenarios.json").asObject();
        JsonObject expected = json("expected.json").asObject();
        LocalDateTime now = LocalDateTime.parse(string(corpus.get("strftime_now")));
        Map<String, JsonObject> scenarios = new LinkedHashMap<>();
        for (JsonValue s : corpus.get("scenarios").asArray().items()) {
            scenarios.put(string(s.asObject().get("name")), s.asObject());
        }
        Object tools = python(corpus.get("tools"));
        List<DynamicTest> tests = new ArrayList<>();
        expected.members().forEach((key, want) -> {
            String[] parts = key.split(" \\| ");
            String templateName = parts[0];
            JsonObject scenario = scenarios.get(parts[1]);
            boolean generationPrompt = parts[2].endsWith("True");
            tests.add(DynamicTest.dynamicTest(key, () -> {
                String source = resource(templateName + ".jinja");
                Map<String, @Nullable Object> variables = new LinkedHashMap<>();
                variables.put("messages", python(scenario.get("messages")));
                JsonValue withTools = scenario.members().get("tools");
                variables.put("tools", withTools != null && withTools.equals(JsonValue.parse("true")) ? tools : null);
                variables.put("documents", null);
                variables.put("add_generation_prompt", generationPrompt);
                corpus.get("templates")
                        .asObject()
                        .get(templateName)
                        .asObject()
                        .members()
                        .forEach((k, v) -> variables.put(k, string(v)));
                check(key, () -> compare(JinjaTemplate.parse(source), variables, now, want.asObject()));
            }));
        });
        return tests.stream();
    }

    private static void check(String key, Runnable comparison) {
        String reason = KNOWN_FAILURES.get(key);
        if (reason == null) {
            comparison.run();
            return;
        }
        try {
            comparison.run();
        } catch (AssertionError expectedFailure) {
            return;
        }
        fail("listed as a known failure (" + reason + ") but matches jinja2 now: remove it from KNOWN_FAILURES");
    }

    private static void compare(JinjaTemplate template, Map<String, @Nullable Object> variables, LocalDateTime now,
            JsonObject want) {
        JsonValue output = want.members().get("output");
        String got;
        try {
            got = template.render(variables, () -> now);
        } catch (JinjaException e) {
            if (output != null) {
                throw new AssertionError("jinja2 renders, we fail: " + e.describe(), e);
            }
            if (string(want.get("type")).equals("TemplateError")) {
                assertThat(e.raisedByTemplate()).as("raised by raise_exception").isTrue();
                assertThat(e.getMessage()).isEqualTo(string(want.get("error")));
            }
            return;
        }
        if (output == null) {
            throw new AssertionError("jinja2 fails with " + string(want.get("type")) + ": " + string(want.get("error"))
                    + ", we render:\n" + visible(got));
        }
        String expectedText = string(output);
        if (!expectedText.equals(got)) {
            int at = 0;
            while (at < Math.min(got.length(), expectedText.length()) && got.charAt(at) == expectedText.charAt(at)) {
                at++;
            }
            int from = Math.max(0, at - 80);
            throw new AssertionError("differs at character " + at + "\n--- jinja2:\n"
                    + visible(expectedText.substring(from, Math.min(expectedText.length(), at + 80)))
                    + "\n--- ours:\n" + visible(got.substring(from, Math.min(got.length(), at + 80))));
        }
    }

    /** Whitespace made visible, for diffs. */
    private static String visible(String s) {
        return s.replace(" ", "·").replace("\t", "→").replace("\n", "↵\n");
    }

    /** JSON as Python's json.loads gives it: a number with a fraction or exponent is a float. */
    static @Nullable Object python(JsonValue v) {
        return switch (v) {
            case JsonValue.JsonNull n -> null;
            case JsonValue.JsonBoolean b -> b.value();
            case JsonValue.JsonNumber n -> n.value().scale() == 0
                    ? (Object) n.value().longValueExact()
                    : (Object) n.value().doubleValue();
            case JsonValue.JsonString s -> s.value();
            case JsonArray a -> {
                List<@Nullable Object> out = new ArrayList<>();
                a.items().forEach(item -> out.add(python(item)));
                yield out;
            }
            case JsonObject o -> {
                Map<String, @Nullable Object> out = new LinkedHashMap<>();
                o.members().forEach((k, val) -> out.put(k, python(val)));
                yield out;
            }
        };
    }

    private static String string(JsonValue v) {
        return ((JsonValue.JsonString) v).value();
    }

    private static JsonValue json(String name) {
        return JsonValue.parse(resource(name));
    }

    private static String resource(String name) {
        try (InputStream in = JinjaGoldenTest.class.getResourceAsStream("/chat-templates/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource chat-templates/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
