package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.model.Message;
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

    @Test
    void raiseExceptionReportsTheTemplatesWords() {
        assertThatThrownBy(() -> render("{{ raise_exception('no system role') }}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no system role");
    }
}
