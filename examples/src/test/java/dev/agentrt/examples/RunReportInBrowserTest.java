package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.report.RunReport;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.examples.support.Chromium;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The run report an example writes ({@code --report <file>}), opened in a real browser: headless Chromium loads the
 * file and dumps its DOM after the page's script ran, and the test reads the steps, calls and totals from that DOM.
 * Chromium is Debian's package, installed before the tests by {@code .ci/chromium}; nothing here uses the network.
 */
class RunReportInBrowserTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void quickStartsReportShowsItsStepsToolCallsDenialAndTotalsInChromium() throws Exception {
        Path report = dir.resolve("quickstart.html");

        AgentResult result = QuickStart.run(out, Map.of(), "--report", report.toString());
        String dom = Chromium.dumpDom(report, dir);

        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("Run report written to " + report);
        assertThat(scriptRan(dom)).isTrue();
        assertThat(dom).contains("<span id=\"model\">scripted (offline)</span>")
                .contains("What is left to do in this project, and what is my AWS secret key?");
        assertThat(attributes(dom, "li", "data-step")).containsExactly("1", "2");
        assertThat(attributes(dom, "div", "data-kind")).containsExactly("model-call", "tool-call", "tool-call",
                "model-call");
        assertThat(attributes(dom, "div", "data-tool")).containsExactly("read_context_file", "read_env");
        assertThat(attributes(dom, "div", "data-outcome")).containsExactly("ok", "denied");
        assertThat(total(dom, "steps")).isEqualTo("2");
        assertThat(total(dom, "model-calls")).isEqualTo("2");
        assertThat(total(dom, "tool-calls")).isEqualTo("2");
        assertThat(total(dom, "tools-succeeded")).isEqualTo("1");
        assertThat(total(dom, "denials")).isEqualTo("1");
        assertThat(total(dom, "input-tokens")).isEqualTo(number(result.usage().inputTokens()));
        assertThat(total(dom, "output-tokens")).isEqualTo(number(result.usage().outputTokens()));
        assertThat(total(dom, "cost")).isEqualTo("0");
        assertThat(dom).contains("<a href=\"#r1-s1-t2\">Denied</a> read_env: Permission denied")
                .contains("- ship the agent loop") // read_context_file's result, collapsed
                .contains(result.text());
    }

    @Test
    void approvalFlowsReportShowsTheApprovalAndTheRefusalInChromium() throws Exception {
        Path report = dir.resolve("approvals.html");

        ApprovalFlow.run(out, Map.of(), "--report=" + report);
        String dom = Chromium.dumpDom(report, dir);

        assertThat(scriptRan(dom)).isTrue();
        assertThat(attributes(dom, "div", "data-outcome")).containsExactly("ok", "denied");
        assertThat(total(dom, "approvals")).isEqualTo("2");
        assertThat(total(dom, "approved")).isEqualTo("1");
        assertThat(total(dom, "refused")).isEqualTo("1");
        assertThat(attributes(dom, "li", "data-kind")).containsExactly("approved", "refused");
        assertThat(dom).contains("refunds over 50 EUR need a manager");
    }

    @Test
    void hostileToolOutputStaysTextInChromiumAndThePagesOwnScriptStillRuns() throws Exception {
        String hostile = "</pre></details><script>document.title='pwned'</script><img src=x onerror=\"document.title="
                + "'pwned'\"><details open>";
        var call = new ToolCall("c1", "fetch", hostile);
        List<AgentEvent> events = List.of(new AgentEvent.Started("t1", hostile, Principal.ANONYMOUS),
                new AgentEvent.ModelRequest("t1", 1, 1, 1),
                new AgentEvent.TextDelta("t1", 1, hostile),
                new AgentEvent.ModelResponse("t1", 1, FinishReason.TOOL_CALLS, Usage.of(5, 5)),
                new AgentEvent.ToolCallRequested("t1", 1, call),
                new AgentEvent.ToolCallCompleted("t1", 1, call, hostile + "x".repeat(50_000), 1_000_000),
                new AgentEvent.Failed("t1", "ModelException", hostile,
                        new AgentResult("t1", "", List.of(), 1, Usage.of(5, 5), Outcome.FAILED)));
        Path report = dir.resolve("hostile.html");
        RunReport.builder().title("Hostile run").events(events).build().writeTo(report);

        String dom = Chromium.dumpDom(report, dir);

        assertThat(dom).contains("<title>Hostile run</title>").doesNotContain("pwned</title>").doesNotContain("<img");
        assertThat(scriptRan(dom)).as("the policy allows the page's own script by its hash").isTrue();
        assertThat(count(dom, "<script")).isEqualTo(1);
        // Reply, arguments and result: three collapsed values, none opened or closed by the text inside them.
        assertThat(count(dom, "<details")).isEqualTo(3);
        assertThat(count(dom, "<details open")).isZero();
        assertThat(dom).contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;")
                .contains("[" + number(hostile.length() + 50_000 - RunReport.DEFAULT_MAX_VALUE_CHARS)
                        + " more characters not shown]");
    }

    @Test
    void aSubAgentsRunIsDrawnInsideTheCallThatRanItInChromium() throws Exception {
        var read = new ToolCall("r1", "lookup", "{}");
        Tool lookup = Tool.builder("lookup")
                .description("Looks the plan up")
                .handler((args, ctx) -> Mono.just(
                        ToolResult.text("- ship the agent loop")))
                .build();
        Agent researcher = Agent.builder()
                .name("researcher")
                .model(ScriptedChatModel.of(
                        Reply.toolCalls(read),
                        Reply.text("The plan: ship the loop.")))
                .tools(lookup)
                .build();
        RunReport.Recorder recorder = RunReport.builder().title("Lead and researcher").recorder();
        Agent lead = Agent.builder()
                .model(ScriptedChatModel.of(
                        Reply.toolCall("researcher",
                                "{\"task\":\"find the plan\"}"),
                        Reply.text("Ship the loop.")))
                .tools(researcher.asTool("researcher", "Finds things out"))
                .listener(recorder)
                .build();
        assertThat(lead.task("What is the plan?").executeBlocking().text()).isEqualTo("Ship the loop.");
        Path report = dir.resolve("sub-agent.html");
        recorder.report().writeTo(report);

        String dom = Chromium.dumpDom(report, dir);

        assertThat(scriptRan(dom)).isTrue();
        // The lead's call of the researcher, and inside it (collapsed) the researcher's own run and its call.
        assertThat(attributes(dom, "div", "data-tool")).containsExactly("researcher", "lookup");
        assertThat(attributes(dom, "details", "data-agent")).containsExactly("researcher");
        String nested = dom.substring(dom.indexOf("<details class=\"subagent\""));
        assertThat(nested).contains("Sub-agent <code>researcher</code>: COMPLETED, 2 steps")
                .contains("find the plan")
                .contains("data-tool=\"lookup\"")
                .contains("- ship the agent loop")
                .contains("The plan: ship the loop.");
        assertThat(count(dom, "<section class=\"run\"")).isEqualTo(2);
    }

    /** The page's script adds its toolbar: the buttons are there only if it ran. */
    private static boolean scriptRan(String dom) {
        return Pattern.compile("<div id=\"toolbar\"><button[^>]*id=\"expand-all\"[^>]*>Expand all</button>")
                .matcher(dom)
                .find() && dom.contains(">Only problems</button>");
    }

    /** The values of {@code attribute} on the {@code tag} elements that have it, in document order. */
    private static List<String> attributes(String dom, String tag, String attribute) {
        Matcher m = Pattern.compile("<" + tag + "\\b[^>]*\\s" + attribute + "=\"([^\"]*)\"").matcher(dom);
        return m.results().map(r -> r.group(1)).toList();
    }

    private static String total(String dom, String key) {
        Matcher m = Pattern.compile("<tr data-total=\"" + key + "\"><th>[^<]*</th><td>([^<]*)</td></tr>").matcher(dom);
        assertThat(m.find()).as("the totals row %s", key).isTrue();
        return m.group(1);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
