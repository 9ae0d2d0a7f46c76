package dev.agentrt.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a run report shows of a run's events, and that nothing in the events can change the page. */
class RunReportTest {
    static final String TASK = "task-1";
    static final long MS = 1_000_000L;

    static final ToolCall READ = new ToolCall("call_1", "read_file", "{\"path\":\"PLAN.md\"}");
    static final ToolCall SEARCH = new ToolCall("call_2", "search", "{\"query\":\"agent loop\"}");

    /** Two steps: a reply asking for two tools at once (the second ends first), then the answer. */
    static List<AgentEvent> twoStepRun() {
        Usage first = new Usage(1200, 40, 1000, 0, 0, 0.0021);
        Usage second = new Usage(1500, 25, 0, 0, 0, 0.0019);
        return List.of(new AgentEvent.Started(TASK, "What is left to do?", Principal.of("ana")),
                new AgentEvent.ModelRequest(TASK, 1, 2, 2),
                new AgentEvent.TextDelta(TASK, 1, "Let me look."),
                new AgentEvent.ModelResponse(TASK, 1, FinishReason.TOOL_CALLS, first),
                new AgentEvent.ToolCallRequested(TASK, 1, READ),
                new AgentEvent.ToolCallRequested(TASK, 1, SEARCH),
                new AgentEvent.PermissionGranted(TASK, 1, READ, List.of(Capability.fileRead(Path.of("/srv/p")))),
                new AgentEvent.ToolCallCompleted(TASK, 1, SEARCH, "3 hits", 4 * MS),
                new AgentEvent.ToolCallCompleted(TASK, 1, READ, "- ship the agent loop", 12 * MS),
                new AgentEvent.StepDone(TASK, 1, first, first),
                new AgentEvent.ModelRequest(TASK, 2, 5, 2),
                new AgentEvent.TextDelta(TASK, 2, "Ship the "),
                new AgentEvent.TextDelta(TASK, 2, "agent loop."),
                new AgentEvent.ModelResponse(TASK, 2, FinishReason.STOP, second),
                new AgentEvent.StepDone(TASK, 2, second, first.plus(second)),
                new AgentEvent.Completed(TASK, new AgentResult(TASK, "Ship the agent loop.", List.of(), 2,
                        first.plus(second), Outcome.COMPLETED)));
    }

    /** The value of a row of a run's totals table. */
    static String total(String html, String key) {
        Matcher m = Pattern.compile("<tr data-total=\"" + key + "\"><th>[^<]*</th><td>([^<]*)</td></tr>").matcher(html);
        assertThat(m.find()).as("totals row %s", key).isTrue();
        return m.group(1);
    }

    /** The markup of the tool call card with {@code id}, up to the next card or step. */
    static String card(String html, String id) {
        int start = html.indexOf("id=\"" + id + "\"");
        assertThat(start).as("card %s", id).isNotNegative();
        int end = html.indexOf("<div class=\"call ", start);
        int stepEnd = html.indexOf("</li>", start);
        return html.substring(start, end < 0 ? stepEnd : Math.min(end, stepEnd));
    }

    static int occurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /** A lead's run whose one call ran sub-agent "researcher", which itself read a file. */
    static List<AgentEvent> runWithASubAgent() {
        ToolCall ask = new ToolCall("call_9", "researcher", "{\"task\":\"find the plan\"}");
        String sub = "task-sub";
        Usage subUsage = new Usage(300, 20, 0, 0, 0, 0.0005);
        Usage lead = new Usage(900, 30, 0, 0, 0, 0.0012);
        List<AgentEvent> inner = List.of(new AgentEvent.Started(sub, "find the plan", Principal.of("ana")),
                new AgentEvent.ModelRequest(sub, 1, 1, 1),
                new AgentEvent.ModelResponse(sub, 1, FinishReason.TOOL_CALLS, subUsage),
                new AgentEvent.ToolCallRequested(sub, 1, READ),
                new AgentEvent.ToolCallCompleted(sub, 1, READ, "- ship the agent loop", 3 * MS),
                new AgentEvent.StepDone(sub, 1, subUsage, subUsage),
                new AgentEvent.Completed(sub, new AgentResult(sub, "The plan: ship the loop.", List.of(), 1, subUsage,
                        Outcome.COMPLETED)));
        var events = new java.util.ArrayList<AgentEvent>(List.of(new AgentEvent.Started(TASK, "Plan?",
                Principal.of("ana")), new AgentEvent.ModelRequest(TASK, 1, 1, 1),
                new AgentEvent.ModelResponse(TASK, 1, FinishReason.TOOL_CALLS, lead),
                new AgentEvent.ToolCallRequested(TASK, 1, ask)));
        for (AgentEvent e : inner) {
            events.add(new AgentEvent.SubAgentEvent(TASK, 1, ask, "researcher", e));
        }
        events.add(new AgentEvent.ToolCallCompleted(TASK, 1, ask, "The plan: ship the loop.", 9 * MS));
        events.add(new AgentEvent.StepDone(TASK, 1, lead, lead.plus(subUsage)));
        events.add(new AgentEvent.Completed(TASK, new AgentResult(TASK, "Done.", List.of(), 1, lead.plus(subUsage),
                Outcome.COMPLETED)));
        return events;
    }

    @Test
    void aSubAgentsRunIsDrawnInsideTheCallThatRanItWithItsOwnStepsAndCalls() {
        String html = RunReport.builder().model("lead-model").events(runWithASubAgent()).build().html();

        String call = html.substring(html.indexOf("id=\"r1-s1-t1\""));
        assertThat(call).contains("<details class=\"subagent\" data-agent=\"researcher\"><summary>Sub-agent "
                + "<code>researcher</code>: COMPLETED, 1 step, 320 tokens</summary>");
        String nested = call.substring(call.indexOf("<details class=\"subagent\""));
        assertThat(nested).contains("id=\"r1-s1-t1-a1\"", "data-task=\"task-sub\"", "find the plan",
                "id=\"r1-s1-t1-a1-s1-t1\"", "data-tool=\"read_file\"", "The plan: ship the loop.");
        // One run at the top; the sub-agent's run, its model call and its tool call are inside the lead's call.
        assertThat(occurrences(html, "<section class=\"run\"")).isEqualTo(2);
        assertThat(occurrences(html, "data-kind=\"tool-call\"")).isEqualTo(2);
        assertThat(total(html, "tool-calls")).isEqualTo("1");
        // The sub-agent's model is not the lead's.
        assertThat(nested).contains("<dt>Model</dt><dd>—</dd>");
    }

    @Test
    void subAgentsNestedDeeperThanTheBoundAreSaidNotDrawn() {
        AgentEvent deepest = new AgentEvent.Started("task-deep", "deep", Principal.of("ana"));
        ToolCall call = new ToolCall("call_1", "again", "{}");
        // 20 levels: what no agent runs (they refuse past 5), as only a crafted event list has it.
        for (int level = 20; level > 0; level--) {
            deepest = new AgentEvent.SubAgentEvent("task-" + level, 1, call, "level-" + level, deepest);
        }
        var events = List.of(new AgentEvent.Started("task-0", "go", Principal.of("ana")),
                new AgentEvent.ToolCallRequested("task-0", 1, call),
                new AgentEvent.SubAgentEvent("task-0", 1, call, "level-0", deepest));

        String html = RunReport.of(events).html();

        assertThat(occurrences(html, "<details class=\"subagent\"")).isEqualTo(ReportPage.MAX_NESTING);
        assertThat(html).contains("nested deeper than " + ReportPage.MAX_NESTING + " levels; its 1 event is not drawn");
    }

    @Test
    void aRunShowsItsStepsModelCallsToolCallsAndTotals() {
        String html = RunReport.builder()
                .model("claude-sonnet-4-5")
                .title("Plan check")
                .events(twoStepRun())
                .build()
                .html();

        assertThat(html).startsWith("<!DOCTYPE html>")
                .contains("<title>Plan check</title>")
                .contains("data-step=\"1\"")
                .contains("data-step=\"2\"")
                .contains("data-outcome=\"COMPLETED\"")
                .contains("What is left to do?")
                .contains("<dt>Principal</dt><dd>ana</dd>")
                .contains("<dt>Model</dt><dd>claude-sonnet-4-5</dd>")
                .contains("granted <code>" + Capability.fileRead(Path.of("/srv/p")).describe() + "</code>")
                .contains("Ship the agent loop.");
        assertThat(occurrences(html, "data-kind=\"model-call\"")).isEqualTo(2);
        assertThat(occurrences(html, "data-kind=\"tool-call\"")).isEqualTo(2);
        assertThat(total(html, "steps")).isEqualTo("2");
        assertThat(total(html, "model-calls")).isEqualTo("2");
        assertThat(total(html, "input-tokens")).isEqualTo("2,700");
        assertThat(total(html, "output-tokens")).isEqualTo("65");
        assertThat(total(html, "cache-read-tokens")).isEqualTo("1,000");
        assertThat(total(html, "cost")).isEqualTo("0.004");
        assertThat(total(html, "tool-calls")).isEqualTo("2");
        assertThat(total(html, "tools-succeeded")).isEqualTo("2");
        assertThat(total(html, "tools-failed")).isEqualTo("0");
        assertThat(card(html, "r1-s1-t1")).contains("read_file")
                .contains("12 ms")
                .contains("<summary>Arguments (18 characters)</summary><pre>{&quot;path&quot;:&quot;PLAN.md&quot;}")
                .contains("<summary>Result (21 characters)</summary><pre>- ship the agent loop</pre>");
        assertThat(card(html, "r1-s1-m1")).contains("<dt>Input tokens</dt><dd>1,200</dd>")
                .contains("<dt>Cost</dt><dd>0.0021</dd>")
                .contains("<dt>Model</dt><dd>claude-sonnet-4-5</dd>")
                .contains("TOOL_CALLS");
    }

    @Test
    void aRecorderOnALiveRunsStreamShowsWhatTheAgentDid() {
        Tool lookup = Tool.builder("lookup")
                .handler((args, ctx) -> Mono.just(ToolResult.text("found <it>")))
                .build();
        Tool broken = Tool.builder("broken")
                .handler((args, ctx) -> Mono.error(new IllegalStateException("disk on fire")))
                .build();
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.of(
                        Reply.toolCalls(new ToolCall("a", "lookup", "{}"), new ToolCall("b", "broken", "{}")),
                        Reply.text("One lookup worked.")))
                .tools(lookup, broken)
                .build();
        RunReport.Recorder recorder = RunReport.builder().model("scripted").recorder();

        agent.task("Look it up").stream().doOnNext(recorder).blockLast();

        String html = recorder.report().html();
        assertThat(html).contains("data-outcome=\"COMPLETED\"").contains("One lookup worked.");
        assertThat(total(html, "steps")).isEqualTo("2");
        assertThat(total(html, "model-calls")).isEqualTo("2");
        assertThat(total(html, "tool-calls")).isEqualTo("2");
        assertThat(total(html, "tools-failed")).isEqualTo("1");
        assertThat(card(html, "r1-s1-t1")).contains("data-tool=\"lookup\"").contains("found &lt;it&gt;");
        assertThat(card(html, "r1-s1-t2")).contains("data-tool=\"broken\"")
                .contains("failed: EXECUTION_FAILED")
                .contains("disk on fire");
        assertThat(card(html, "r1-s2-m1")).contains("<dt>Model</dt><dd>scripted</dd>").doesNotContain("<dd>—</dd>");
    }

    @Test
    void stepsAndCallsAppearInTheOrderTheyHappenedAndToolCallsInTheOrderTheyWereAskedFor() {
        String html = RunReport.of(twoStepRun()).html();

        assertThat(html.indexOf("id=\"r1-s1\"")).isLessThan(html.indexOf("id=\"r1-s2\""));
        assertThat(html.indexOf("id=\"r1-s1-m1\"")).isLessThan(html.indexOf("id=\"r1-s1-t1\""));
        // search ended first, but read_file was asked for first
        assertThat(html.indexOf("data-tool=\"read_file\"")).isLessThan(html.indexOf("data-tool=\"search\""));
        assertThat(card(html, "r1-s1-t1")).contains("ended 2nd of 2");
        assertThat(card(html, "r1-s1-t2")).contains("ended 1st of 2").contains("<dt>Duration</dt><dd>4 ms</dd>");
        assertThat(html.indexOf("Let me look.")).isLessThan(html.indexOf("Ship the agent loop."));
    }

    @Test
    void withoutTimesLatenciesShowADashAndToolDurationsStillShow() {
        String html = RunReport.of(twoStepRun()).html();

        assertThat(card(html, "r1-s1-m1")).contains("<dt>Latency</dt><dd>—</dd>")
                .contains("<dt>First token</dt><dd>—</dd>");
        assertThat(total(html, "duration")).isEqualTo("—");
        assertThat(card(html, "r1-s1-t1")).contains("<dt>Duration</dt><dd>12 ms</dd>");
        assertThat(html).contains("<span id=\"model\">—</span>").doesNotContain("class=\"span\"");
    }

    @Test
    void aRecorderStampsEachEventWithItsClockForLatenciesAndStepTimes() {
        var now = new AtomicLong(5_000 * MS);
        RunReport.Recorder recorder = RunReport.builder().clock(() -> now.getAndAdd(10 * MS)).recorder();

        twoStepRun().forEach(recorder); // each event 10 ms after the one before

        String html = recorder.report().html();
        // step 1: request, delta (+10), response (+20); step 2: request, two deltas, response (+30)
        assertThat(card(html, "r1-s1-m1")).contains("<dt>Latency</dt><dd>20 ms</dd>")
                .contains("<dt>First token</dt><dd>10 ms</dd>");
        assertThat(card(html, "r1-s2-m1")).contains("<dt>Latency</dt><dd>30 ms</dd>");
        assertThat(total(html, "duration")).isEqualTo("150 ms"); // 16 events
        assertThat(html).contains("Step 2<span class=\"at\">at +100 ms</span><span class=\"took\">took 40 ms</span>")
                .contains("class=\"span\"");
        assertThat(recorder.report().events()).isEqualTo(twoStepRun());
    }

    @Test
    void aRecorderIsAListenerAndItsReportsAreSnapshots() {
        RunReport.Recorder recorder = RunReport.recorder();
        AgentEvent.Listener listener = recorder;
        List<AgentEvent> events = twoStepRun();

        listener.onEvent(events.get(0));
        RunReport early = recorder.report();
        events.subList(1, events.size()).forEach(recorder);

        assertThat(early.events()).containsExactly(events.get(0));
        assertThat(early.html()).contains("data-outcome=\"unfinished\"");
        assertThat(recorder.report().events()).isEqualTo(events);
    }

    @Test
    void hostileValuesShowAsTextAndCannotAddMarkupOrScript() {
        String hostile = "</pre></details></code>\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
                + "<!-- &amp; <style>body{display:none}</style>";
        var call = new ToolCall("\"><script>alert(3)</script>", "x\" onmouseover=\"alert(4)", hostile);
        List<AgentEvent> events = List.of(new AgentEvent.Started("t\"'<b>", hostile, Principal.of(hostile)),
                new AgentEvent.ModelRequest("t\"'<b>", 1, 1, 1),
                new AgentEvent.TextDelta("t\"'<b>", 1, hostile),
                new AgentEvent.ModelResponse("t\"'<b>", 1, FinishReason.TOOL_CALLS, Usage.of(1, 1)),
                new AgentEvent.ToolCallRequested("t\"'<b>", 1, call),
                new AgentEvent.PermissionDenied("t\"'<b>", 1, call, List.of(Capability.custom(hostile)), hostile),
                new AgentEvent.ToolCallCompleted("t\"'<b>", 1, call, hostile, 1),
                new AgentEvent.Failed("t\"'<b>", hostile, hostile,
                        new AgentResult("t\"'<b>", hostile, List.of(), 1, Usage.ZERO, Outcome.FAILED)));

        String html = RunReport.builder().title(hostile).model(hostile).events(events).build().html();

        assertThat(html).doesNotContain("<script>alert")
                .doesNotContain("<img")
                .doesNotContain("<b>")
                .doesNotContain("<!--")
                .doesNotContain("onmouseover=\"")
                .contains(
                        "&lt;/pre&gt;&lt;/details&gt;&lt;/code&gt;&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;")
                .contains("data-tool=\"x&quot; onmouseover=&quot;alert(4)\"");
        assertThat(occurrences(html, "<script")).isEqualTo(1);
        assertThat(occurrences(html, "<style")).isEqualTo(1);
        assertThat(occurrences(html, "<details")).isEqualTo(occurrences(html, "</details>"));
        assertThat(occurrences(html, "<pre")).isEqualTo(occurrences(html, "</pre>"));
    }

    @Test
    void thePageRefersToNothingOutsideItselfAndItsPolicyRunsOnlyItsOwnScript() throws Exception {
        String html = RunReport.of(twoStepRun()).html();

        assertThat(html).doesNotContainPattern("(?i)(src|href)=\"(?!#)")
                .doesNotContainPattern("(?i)https?:|url\\(|@import");
        Matcher policy = Pattern.compile("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]*)\">")
                .matcher(html);
        assertThat(policy.find()).isTrue();
        assertThat(policy.group(1)).startsWith("default-src 'none';");
        Matcher script = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL).matcher(html);
        assertThat(script.find()).isTrue();
        String hash = Base64.getEncoder()
                .encodeToString(MessageDigest.getInstance("SHA-256")
                        .digest(script.group(1).getBytes(StandardCharsets.UTF_8)));
        assertThat(policy.group(1)).contains("script-src 'sha256-" + hash + "'");
    }

    @Test
    void longValuesAreCutWithANoteOfHowMuchWasLeftOut() {
        String result = "r".repeat(1_000);
        String reply = "t".repeat(700);
        var call = new ToolCall("c1", "dump", "{}");
        List<AgentEvent> events = List.of(new AgentEvent.ModelRequest(TASK, 1, 1, 1),
                new AgentEvent.TextDelta(TASK, 1, reply.substring(0, 350)),
                new AgentEvent.TextDelta(TASK, 1, reply.substring(350)),
                new AgentEvent.ModelResponse(TASK, 1, FinishReason.TOOL_CALLS, Usage.of(1, 1)),
                new AgentEvent.ToolCallRequested(TASK, 1, call),
                new AgentEvent.ToolCallCompleted(TASK, 1, call, result, 1));

        String html = RunReport.builder().maxValueChars(100).events(events).build().html();

        assertThat(html).contains("<summary>Result (1,000 characters)</summary><pre>" + "r".repeat(100) + "</pre>")
                .contains("<span class=\"cut\" data-cut=\"900\">[900 more characters not shown]</span>")
                .contains("<summary>Reply (700 characters)</summary><pre>" + "t".repeat(100) + "</pre>")
                .contains("data-cut=\"600\"")
                .doesNotContain("r".repeat(101))
                .doesNotContain("t".repeat(101));
    }

    @Test
    void aCutNeverSplitsACharacterAndBrokenTextStillWrites(@TempDir Path dir) throws Exception {
        String emoji = "\uD83D\uDE00"; // one character, two chars
        String result = "a".repeat(9) + emoji + "tail";
        String broken = "lone \uD800 high and \uDC00 low, a NUL \u0000 and a bell \u0007";
        var call = new ToolCall("c1", "t", broken);
        List<AgentEvent> events = List.of(new AgentEvent.ToolCallRequested(TASK, 1, call),
                new AgentEvent.ToolCallCompleted(TASK, 1, call, result, 1));
        RunReport report = RunReport.builder().maxValueChars(10).events(events).build();

        String html = report.html();
        Path file = dir.resolve("run.html");
        report.writeTo(file);

        assertThat(html).contains("<pre>" + "a".repeat(9) + "</pre>")
                .contains("data-cut=\"6\"")
                .contains("lone \uFFFD hi")
                .doesNotContain("\u0000")
                .doesNotContain("\u0007");
        assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(html);
    }

    @Test
    void aFailedRunShowsItsRetriedModelCallItsErrorAndWhatItDidSoFar() {
        Usage used = Usage.of(300, 12);
        List<AgentEvent> events = List.of(new AgentEvent.Started(TASK, "Summarise", Principal.ANONYMOUS),
                new AgentEvent.ModelRequest(TASK, 1, 2, 0),
                new AgentEvent.TextDelta(TASK, 1, "Half an an"),
                new AgentEvent.ModelRetry(TASK, 1, 1, 503, "req_9", "Anthropic: overloaded", 1_000_000_000L),
                new AgentEvent.ModelRequest(TASK, 1, 2, 0),
                new AgentEvent.ModelResponse(TASK, 1, FinishReason.LENGTH, used),
                new AgentEvent.StepDone(TASK, 1, used, used),
                new AgentEvent.ModelRequest(TASK, 2, 3, 0),
                new AgentEvent.Failed(TASK, "ModelException", "Anthropic: HTTP 401 invalid x-api-key",
                        new AgentResult(TASK, "", List.of(), 1, used, Outcome.FAILED)));

        String html = RunReport.of(events).html();

        assertThat(html).contains("data-outcome=\"FAILED\"")
                .contains("<section class=\"end failed\" id=\"r1-end\">")
                .contains(
                        "data-error-type=\"ModelException\"><strong>ModelException</strong>: Anthropic: HTTP 401 invalid x-api-key")
                .contains("<li class=\"n-bad\" data-kind=\"run_failed\"><a href=\"#r1-end\">Run failed</a>")
                .contains("<li class=\"n-warn\" data-kind=\"retry\"><a href=\"#r1-s1\">Model call retried</a>");
        assertThat(card(html, "r1-s1-m1")).contains("failed, retry 1")
                .contains("HTTP 503, request id <code>req_9</code>: Anthropic: overloaded — asked again after 1.00 s.")
                .contains("<summary>Partial reply (discarded) (10 characters)</summary>");
        assertThat(card(html, "r1-s1-m2")).contains("LENGTH").contains("<dt>Input tokens</dt><dd>300</dd>");
        assertThat(card(html, "r1-s2-m1")).contains("no reply");
        assertThat(total(html, "steps")).isEqualTo("1");
        assertThat(total(html, "model-calls")).isEqualTo("1");
        assertThat(total(html, "retries")).isEqualTo("1");
        assertThat(total(html, "input-tokens")).isEqualTo("300");
    }

    @Test
    void denialsApprovalsAndFailedToolsAreListedOnceEachAndCounted() {
        var refund = new ToolCall("c1", "refund", "{\"order\":\"A-100\"}");
        var bigRefund = new ToolCall("c2", "refund", "{\"order\":\"B-200\"}");
        var secret = new ToolCall("c3", "read_env", "{\"name\":\"AWS_SECRET\"}");
        var broken = new ToolCall("c4", "lookup", "{}");
        List<Capability> payments = List.of(Capability.custom("payments", "refund"));
        String denial = "Permission denied: tool \"refund\" needs payments:refund, which is not approved: too much";
        List<AgentEvent> events = new ArrayList<>(List.of(new AgentEvent.ToolCallRequested(TASK, 1, refund),
                new AgentEvent.ToolCallRequested(TASK, 1, bigRefund),
                new AgentEvent.ToolCallRequested(TASK, 1, secret),
                new AgentEvent.ToolCallRequested(TASK, 1, broken),
                new AgentEvent.ApprovalRequested(TASK, 1, refund, payments),
                new AgentEvent.ApprovalRequested(TASK, 1, bigRefund, payments),
                new AgentEvent.PermissionDenied(TASK, 1, secret, List.of(Capability.env("AWS_SECRET")),
                        "Permission denied: not granted"),
                new AgentEvent.ToolCallFailed(TASK, 1, secret, ToolErrorKind.PERMISSION_DENIED,
                        "Permission denied: not granted", 0),
                new AgentEvent.ApprovalDecided(TASK, 1, refund, Decision.approveOnce()),
                new AgentEvent.ApprovalDecided(TASK, 1, bigRefund, Decision.deny("too much")),
                new AgentEvent.PermissionDenied(TASK, 1, bigRefund, payments, denial),
                new AgentEvent.ToolCallFailed(TASK, 1, bigRefund, ToolErrorKind.PERMISSION_DENIED, denial, 0),
                new AgentEvent.ToolCallFailed(TASK, 1, broken, ToolErrorKind.EXECUTION_FAILED, "lookup failed: boom",
                        2 * MS),
                new AgentEvent.ToolCallCompleted(TASK, 1, refund, "refunded", 3 * MS)));

        String html = RunReport.of(events).html();

        assertThat(total(html, "tool-calls")).isEqualTo("4");
        assertThat(total(html, "tools-succeeded")).isEqualTo("1");
        assertThat(total(html, "tools-failed")).isEqualTo("3");
        assertThat(total(html, "denials")).isEqualTo("2");
        assertThat(total(html, "approvals")).isEqualTo("2");
        assertThat(total(html, "approved")).isEqualTo("1");
        assertThat(total(html, "refused")).isEqualTo("1");
        assertThat(occurrences(html, "<li class=\"n-")).isEqualTo(4);
        assertThat(html).contains("data-kind=\"approved\"><a href=\"#r1-s1-t1\">Approved</a> refund: approved")
                .contains("data-kind=\"refused\"><a href=\"#r1-s1-t2\">Approval refused</a> refund: too much")
                .contains("data-kind=\"denied\"><a href=\"#r1-s1-t3\">Denied</a> read_env: Permission denied")
                .contains("data-kind=\"tool_failed\"><a href=\"#r1-s1-t4\">Tool failed</a> lookup (EXECUTION_FAILED)");
        assertThat(card(html, "r1-s1-t1")).contains("data-outcome=\"ok\"").contains("APPROVE_ONCE: approved");
        assertThat(card(html, "r1-s1-t2")).contains("data-outcome=\"denied\"")
                .contains("DENY: too much")
                .contains("<code>" + payments.get(0).describe() + "</code>");
        assertThat(card(html, "r1-s1-t4")).contains("data-outcome=\"failed\"")
                .contains("failed: EXECUTION_FAILED")
                .contains("<p class=\"error\">lookup failed: boom</p>");
    }

    @Test
    void eventsOfSeveralTasksMakeASectionEachInTheOrderTheyBegan() {
        List<AgentEvent> events = List.of(new AgentEvent.Started("b", "second task", Principal.ANONYMOUS),
                new AgentEvent.Started("a", "first task", Principal.ANONYMOUS),
                new AgentEvent.ModelRequest("a", 1, 1, 0),
                new AgentEvent.ModelRequest("b", 1, 1, 0));

        String html = RunReport.of(events).html();

        assertThat(html).contains("2 runs")
                .contains("<section class=\"run\" id=\"r1\" data-task=\"b\">")
                .contains("<section class=\"run\" id=\"r2\" data-task=\"a\">");
        assertThat(html.indexOf("second task")).isLessThan(html.indexOf("first task"));
    }

    @Test
    void progressReportsShowTheLastOneAndHowMany() {
        var call = new ToolCall("c1", "index", "{}");
        List<AgentEvent> events = List.of(new AgentEvent.ToolCallRequested(TASK, 1, call),
                new AgentEvent.ToolProgress(TASK, 1, call, 1, 4.0, "one"),
                new AgentEvent.ToolProgress(TASK, 1, call, 3, 4.0, "three <of> four"));

        String html = RunReport.of(events).html();

        assertThat(card(html, "r1-s1-t1"))
                .contains("<dt>Progress</dt><dd>2 reports, last 3 of 4: three &lt;of&gt; four")
                .contains("no result");
    }

    @Test
    void noEventsMakeAPageThatSaysSo() {
        assertThat(RunReport.of(List.of()).html()).contains("0 runs").contains("No events were recorded.");
    }

    @Test
    void writeToWritesThePageAndReportsAFileItCannotWrite(@TempDir Path dir) throws Exception {
        RunReport report = RunReport.of(twoStepRun());

        report.writeTo(dir.resolve("run.html"));

        assertThat(Files.readString(dir.resolve("run.html"))).isEqualTo(report.html());
        assertThatThrownBy(() -> report.writeTo(dir.resolve("missing/run.html")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void theBuilderChecksItsSettingsAndToBuilderKeepsThem() {
        assertThatThrownBy(() -> RunReport.builder().maxValueChars(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxValueChars");
        assertThatThrownBy(() -> RunReport.builder().event(twoStepRun().get(0), Long.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class);

        RunReport report = RunReport.builder().title("One").model("m").events(twoStepRun()).build();
        RunReport variant = report.toBuilder().title("Two").build();

        assertThat(variant.html()).contains("<title>Two</title>").contains("<span id=\"model\">m</span>");
        assertThat(variant.events()).isEqualTo(report.events());
        assertThat(report.html()).isEqualTo(report.html());
    }
}
