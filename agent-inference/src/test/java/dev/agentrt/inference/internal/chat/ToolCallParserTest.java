package dev.agentrt.inference.internal.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.inference.internal.chat.ToolCallParser.Call;
import dev.agentrt.inference.internal.chat.ToolCallParser.Parsed;
import org.junit.jupiter.api.Test;

import java.util.List;

class ToolCallParserTest {
    @Test
    void aCompleteTaggedCallIsACall() {
        Parsed p = ToolCallParser
                .parse("<tool_call>{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}</tool_call>");
        assertThat(p.calls()).containsExactly(new Call("get_time", "{\"zone\":\"UTC\"}"));
        assertThat(p.text()).isEmpty();
    }

    @Test
    void whitespaceAroundAndInsideTheTagsIsAllowed() {
        Parsed p = ToolCallParser
                .parse("  \n<tool_call>\n  {\n \"name\" : \"get_time\",\n \"arguments\" : { } }  \n</tool_call>\n ");
        assertThat(p.calls()).containsExactly(new Call("get_time", "{}"));
        assertThat(p.text()).isEmpty();
    }

    @Test
    void textAroundCallsIsKeptAndSeveralCallsKeepTheirOrder() {
        Parsed p = ToolCallParser
                .parse("Let me look.\n<tool_call>{\"name\":\"a\",\"arguments\":{\"x\":1}}</tool_call>\n"
                        + "<tool_call>{\"name\":\"b\",\"arguments\":{}}</tool_call>");
        assertThat(p.calls()).extracting(Call::name).containsExactly("a", "b");
        assertThat(p.text()).isEqualTo("Let me look.");
    }

    @Test
    void aCallWhoseClosingTagIsMissingAtTheEndStillCounts() {
        Parsed p = ToolCallParser.parse("<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n");
        assertThat(p.calls()).containsExactly(new Call("get_time", "{}"));
    }

    @Test
    void aTruncatedCallIsText() {
        String text = "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UT";
        Parsed p = ToolCallParser.parse(text);
        assertThat(p.calls()).isEmpty();
        assertThat(p.text()).isEqualTo(text);
    }

    @Test
    void aBareJsonCallIsACall() {
        assertThat(ToolCallParser.parse(" {\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}} ").calls())
                .containsExactly(new Call("get_time", "{\"zone\":\"CET\"}"));
        assertThat(ToolCallParser.parse("```json\n{\"name\": \"get_time\", \"parameters\": {}}\n```").calls())
                .containsExactly(new Call("get_time", "{}"));
        assertThat(ToolCallParser.parse("[{\"name\": \"a\", \"arguments\": {}}, {\"name\": \"b\"}]").calls())
                .extracting(Call::name)
                .containsExactly("a", "b");
    }

    @Test
    void argumentsGivenAsAJsonStringArePassedOn() {
        assertThat(ToolCallParser.parse("{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": 1}\"}").calls())
                .containsExactly(new Call("f", "{\"a\": 1}"));
    }

    @Test
    void jsonThatIsNotACallIsText() {
        for (String text : List.of("{\"answer\": 42}", "{\"name\": 3, \"arguments\": {}}",
                "{\"name\": \"f\", \"arguments\": [1]}", "{\"name\": \"f\"} and more", "[1, 2]")) {
            assertThat(ToolCallParser.parse(text)).as(text).isEqualTo(new Parsed(text, List.of()));
        }
    }

    @Test
    void garbageIsTextAndNeverAnException() {
        for (String text : List.of("", "hello", "<tool_call>", "<tool_call></tool_call>", "<tool_call>{{{",
                "<tool_call>{\"name\": \"f\", \"arguments\": {}}}}</tool_call>", "{", "}", "\"", "<tool_call>null",
                "{\"name\": \"f\", \"arguments\": {\"a\": \"\\u00\"}}")) {
            Parsed p = ToolCallParser.parse(text);
            assertThat(p.calls()).as(text).isEmpty();
            assertThat(p.text()).as(text).isEqualTo(text);
        }
    }

    @Test
    void theStreamHoldsBackCallMarkupAndStreamsTheRest() {
        ToolCallStream stream = new ToolCallStream();
        StringBuilder out = new StringBuilder();
        for (String delta : List.of("Checking", " now", " <tool", "_call>", "{\"name\":", " \"t\", \"arguments\": {}}",
                "</tool_call>")) {
            out.append(stream.accept(delta));
        }
        assertThat(out.toString()).isEqualTo("Checking now ");
        assertThat(stream.finish()).isEqualTo(new Parsed("", List.of(new Call("t", "{}"))));
    }

    @Test
    void theStreamReleasesAPrefixThatDidNotBecomeATag() {
        ToolCallStream stream = new ToolCallStream();
        assertThat(stream.accept("a <tool")).isEqualTo("a ");
        assertThat(stream.accept("box")).isEqualTo("<toolbox");
        assertThat(stream.finish()).isEqualTo(new Parsed("", List.of()));
    }

    @Test
    void theStreamCapturesAReplyThatOpensWithJson() {
        ToolCallStream stream = new ToolCallStream();
        assertThat(stream.accept("  ")).isEmpty();
        assertThat(stream.accept("{\"name\": \"t\",")).isEmpty();
        assertThat(stream.accept(" \"arguments\": {}}")).isEmpty();
        assertThat(stream.finish().calls()).containsExactly(new Call("t", "{}"));
        ToolCallStream text = new ToolCallStream();
        assertThat(text.accept("{not json")).isEmpty();
        assertThat(text.finish()).isEqualTo(new Parsed("{not json", List.of()));
    }
}
