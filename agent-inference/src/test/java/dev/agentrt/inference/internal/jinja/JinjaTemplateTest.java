package dev.agentrt.inference.internal.jinja;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Single language features against jinja2 ({@code features.json}), and how failures are reported. */
class JinjaTemplateTest {
    private static final LocalDateTime NOW = LocalDateTime.of(2026, 3, 5, 14, 7, 9);

    @TestFactory
    Stream<DynamicTest> eachFeatureRendersAsJinja2RendersIt() throws IOException {
        JsonObject features;
        try (InputStream in = getClass().getResourceAsStream("/chat-templates/features.json")) {
            features = JsonValue.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).asObject();
        }
        @SuppressWarnings("unchecked")
        Map<String, @Nullable Object> variables = (Map<String, @Nullable Object>) JinjaGoldenTest
                .python(features.get("variables"));
        LocalDateTime now = LocalDateTime.parse(((JsonValue.JsonString) features.get("strftime_now")).value());
        return features.get("cases").asArray().items().stream().map(JsonValue::asObject).map(c -> {
            String name = c.getString("name").orElseThrow();
            String template = c.getString("template").orElseThrow();
            String output = c.getString("output").orElseThrow();
            return DynamicTest.dynamicTest(name,
                    () -> assertThat(JinjaTemplate.parse(template).render(variables, () -> now)).isEqualTo(output));
        });
    }

    private static String render(String template, Map<String, ?> variables) {
        return JinjaTemplate.parse(template).render(variables, () -> NOW);
    }

    @Test
    void raiseExceptionCarriesTheTemplatesWordsAndLine() {
        assertThatThrownBy(() -> render("line one\n{% if true %}\n{{ raise_exception('No system role') }}\n{% endif %}",
                Map.of())).isInstanceOfSatisfying(JinjaException.class, e -> {
                    assertThat(e.raisedByTemplate()).isTrue();
                    assertThat(e.getMessage()).isEqualTo("No system role");
                    assertThat(e.line()).isEqualTo(3);
                });
    }

    @Test
    void anAttributeOfAnUndefinedValueFailsNamingTheLine() {
        assertThatThrownBy(() -> render("a\nb {{ m.missing.deeper }}", Map.of("m", Map.of("x", 1))))
                .isInstanceOfSatisfying(JinjaException.class, e -> {
                    assertThat(e.raisedByTemplate()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("'dict object' has no attribute 'missing'");
                    assertThat(e.describe()).isEqualTo("'dict object' has no attribute 'missing' (template line 2)");
                });
    }

    @Test
    void aSyntaxErrorIsReportedWhenParsingWithItsLine() {
        assertThatThrownBy(() -> JinjaTemplate.parse("ok\n{% for x in %}{% endfor %}"))
                .isInstanceOfSatisfying(JinjaException.class, e -> {
                    assertThat(e.line()).isEqualTo(2);
                    assertThat(e.getMessage()).contains("expected an expression");
                });
        assertThatThrownBy(() -> JinjaTemplate.parse("{% if x %}never closed"))
                .isInstanceOf(JinjaException.class)
                .hasMessageContaining("endif");
        assertThatThrownBy(() -> JinjaTemplate.parse("{% include 'x' %}"))
                .isInstanceOf(JinjaException.class)
                .hasMessage("unknown tag 'include'");
    }

    @Test
    void theSandboxKeepsListsAndDictsImmutable() {
        assertThatThrownBy(() -> render("{{ xs.append(1) }}", Map.of("xs", List.of())))
                .isInstanceOf(JinjaException.class)
                .hasMessageContaining("unsafe");
    }

    @Test
    void javaValuesBecomePythonValues() {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("i", 3);
        variables.put("f", 1.5f);
        variables.put("b", new StringBuilder("sb"));
        assertThat(render("{{ i / 2 }} {{ f }} {{ b }} {{ i is integer }}", variables)).isEqualTo("1.5 1.5 sb True");
    }

    @Test
    void theGenerationBlockRendersItsBody() {
        assertThat(render("{% generation %}x{% endgeneration %}", Map.of())).isEqualTo("x");
    }
}
