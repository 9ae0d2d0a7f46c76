package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ToolSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

/** Rendering as Jinja2 does with transformers' settings (trim_blocks, lstrip_blocks). */
class ChatTemplateTest {
    static String render(String template) {
        return new ChatTemplate(template, null, Map.of("eos_token", "</s>"), "test").render(List.of(Message.user("hi")),
                List.of());
    }

    @Test
    void spacesBeforeATagInsideALineAreKept() {
        assertThat(render("a {% if true %}b{% endif %} c")).isEqualTo("a b c");
        assertThat(render("{% for m in messages %}{{ m.content }} {% endfor %}x")).isEqualTo("hi x");
    }

    @Test
    void indentationBeforeABlockTagAndTheNewlineAfterItGo() {
        assertThat(render("  {% if true %}\nx\n  {% endif %}\ny")).isEqualTo("x\ny");
        assertThat(render("\t{# note #}\nz")).isEqualTo("z");
        assertThat(render("  {%+ if true %}k{% endif %}")).isEqualTo("  k");
    }

    @Test
    void variablesKeepTheirNewline() {
        assertThat(render("{{ eos_token }}\n{{ messages[0].content }}")).isEqualTo("</s>\nhi");
    }

    static String renderWith(String template, String content) {
        return new ChatTemplate(template, null, Map.of(), "test").render(
                List.of(Message.user("first"), Message.assistant(content)), List.of());
    }

    @Test
    void pythonStringMethodsWorkAsInPython() {
        String reasoning = "<think>\nplan\n</think>\n\nanswer.done";
        assertThat(renderWith("{{ messages[1].content.split('</think>')[-1].lstrip('\\n') }}", reasoning))
                .isEqualTo("answer.done");
        assertThat(renderWith("{{ messages[1].content.startswith('<think>') }}", reasoning)).isEqualTo("True");
        assertThat(renderWith("{{ messages[1].content.endswith(('.x', 'done')) }}", reasoning)).isEqualTo("True");
        // A literal separator, not a regular expression.
        assertThat(renderWith("{{ messages[1].content.split('.') | length }}", "a.b.c")).isEqualTo("3");
        assertThat(renderWith("{{ messages[1].content.rstrip('.') }}|{{ messages[1].content.strip('x.') }}", "x.ab.."))
                .isEqualTo("x.ab|ab");
        assertThat(renderWith("{{ messages[1].content.upper() }} {{ messages[1].content.title() }}", "hello world"))
                .isEqualTo("HELLO WORLD Hello World");
    }

    @Test
    void reversedSlicesAndNamespacesWork() {
        assertThat(renderWith("{% for m in messages[::-1] %}{{ m.role }} {% endfor %}", "x"))
                .isEqualTo("assistant user ");
        assertThat(renderWith("{% set ns = namespace(last=-1) %}{% for m in messages %}"
                + "{% if m.role == 'user' %}{% set ns.last = loop.index0 %}{% endif %}{% endfor %}{{ ns.last }}", "x"))
                .isEqualTo("0");
    }

    @Test
    void tojsonWritesWhatPythonsJsonDumpsWrites() {
        ChatTemplate template = new ChatTemplate(
                "{{ tools[0] | tojson }}|{{ tools[0].function.parameters | tojson(indent=2) }}",
                null, Map.of(), "test");
        ToolSpec spec = new ToolSpec("get_time", "Time \"now\", in é",
                JsonValue.parse(
                        "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\",\"default\":1.5}},\"required\":[]}")
                        .asObject());
        assertThat(template.render(List.of(Message.user("hi")), List.of(spec))).isEqualTo(
                "{\"type\": \"function\", \"function\": {\"name\": \"get_time\", \"description\": \"Time \\\"now\\\", in é\", "
                        + "\"parameters\": {\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"number\", \"default\": 1.5}}, "
                        + "\"required\": []}}}|{\n  \"type\": \"object\",\n  \"properties\": {\n    \"n\": {\n      \"type\": \"number\",\n"
                        + "      \"default\": 1.5\n    }\n  },\n  \"required\": []\n}");
    }

    @Test
    void raiseExceptionReportsTheTemplatesWords() {
        assertThatThrownBy(() -> render("{{ raise_exception('no system role') }}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no system role");
    }
}
