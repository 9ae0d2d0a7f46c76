package dev.agentrt.core.report;

import static dev.agentrt.core.report.RunModel.NO_TIME;
import static dev.agentrt.core.report.RunModel.timed;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.report.RunModel.ModelCall;
import dev.agentrt.core.report.RunModel.Notable;
import dev.agentrt.core.report.RunModel.Run;
import dev.agentrt.core.report.RunModel.Step;
import dev.agentrt.core.report.RunModel.Text;
import dev.agentrt.core.report.RunModel.ToolCallEntry;
import dev.agentrt.core.security.Capability;
import org.jspecify.annotations.Nullable;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Renders a {@link RunModel} as one HTML page with everything inline. A Content-Security-Policy in the page allows no
 * network access at all and runs only the page's own script (by its hash), so even text that escaped escaping could
 * not load or run anything.
 */
final class ReportPage {
    private static final String NONE = "—";
    /** How much of a long task or answer shows before it is collapsed. */
    private static final int SHORT = 300;
    /** How deep sub-agents' runs are drawn inside the calls that ran them. */
    static final int MAX_NESTING = 8;

    private static final String STYLE = """
            :root{--fg:#1d232b;--muted:#5c6670;--line:#d8dde3;--bg:#fff;--soft:#f5f7f9;--ok:#1a7f37;--bad:#c62828;\
            --warn:#9a6700;--accent:#0b62c4}
            *{box-sizing:border-box}
            body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);\
            background:var(--bg)}
            header,main,footer{max-width:1100px;margin:0 auto;padding:12px 20px}
            header{border-bottom:1px solid var(--line)}
            h1{font-size:22px;margin:4px 0}
            h2{font-size:18px;margin:18px 0 8px}
            h3{font-size:15px;margin:16px 0 6px}
            code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
            pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--soft);border:1px solid var(--line);\
            border-radius:4px;padding:8px;margin:4px 0;max-height:480px;overflow:auto}
            .meta,.at,.took,.order,.note{color:var(--muted)}
            #toolbar{margin:8px 0}
            #toolbar button{font:inherit;margin-right:6px;padding:3px 10px;border:1px solid var(--line);\
            border-radius:4px;background:var(--soft);cursor:pointer}
            #toolbar button[aria-pressed=true]{background:#dbe9fb;border-color:var(--accent)}
            .run{border-top:3px solid var(--line);margin-top:8px}
            .outcome,.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 7px;border-radius:10px;\
            background:var(--soft);border:1px solid var(--line);vertical-align:middle}
            .o-ok,.b-ok{color:var(--ok);border-color:var(--ok)}
            .o-bad,.b-bad{color:var(--bad);border-color:var(--bad)}
            .o-warn,.b-warn{color:var(--warn);border-color:var(--warn)}
            dl.facts,dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
            dl.kv{grid-template-columns:repeat(auto-fill,minmax(120px,max-content) minmax(170px,1fr))}
            dt{color:var(--muted)}
            dd{margin:0;overflow-wrap:anywhere}
            table.totals{border-collapse:collapse;margin:6px 0}
            table.totals th,table.totals td{border:1px solid var(--line);padding:3px 10px;text-align:left}
            table.totals th{background:var(--soft);font-weight:500}
            table.totals td{text-align:right;font-variant-numeric:tabular-nums}
            .notable ul{margin:4px 0;padding-left:20px}
            .notable li{margin:2px 0;overflow-wrap:anywhere}
            .n-bad a{color:var(--bad)}
            .n-warn a{color:var(--warn)}
            .n-ok a{color:var(--ok)}
            ol.timeline{list-style:none;margin:0;padding:0}
            .step{border-left:3px solid var(--accent);margin:10px 0;padding:4px 0 4px 12px}
            .step-head{font-weight:600}
            .step-head span{font-weight:400;margin-left:8px}
            .call{border:1px solid var(--line);border-radius:6px;margin:8px 0;padding:6px 10px}
            .call.bad{border-left:4px solid var(--bad)}
            .call.warn{border-left:4px solid var(--warn)}
            .call.ok{border-left:4px solid var(--ok)}
            .call-head .kind{font-weight:600;margin-right:6px}
            .call-head span{margin-left:6px}
            .error{color:var(--bad);overflow-wrap:anywhere;white-space:pre-wrap}
            .span{position:relative;height:6px;background:var(--soft);border-radius:3px;margin:4px 0;max-width:600px}
            .span i{position:absolute;top:0;bottom:0;background:var(--accent);border-radius:3px;min-width:2px}
            .cut{color:var(--warn);font-size:12px;margin:0 0 6px}
            summary{cursor:pointer;color:var(--accent)}
            details.subagent{border-left:3px dashed var(--accent);margin:8px 0;padding:2px 0 2px 12px}
            details.subagent>.run{border-top:none}
            body.only-problems .call.ok,body.only-problems .step:not(:has(.call.bad,.call.warn)){display:none}
            footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);margin-top:20px}
            """;

    /** Adds the toolbar (expand, collapse, only problems): without script the page is complete, only static. */
    private static final String SCRIPT = """
            (function () {
              var bar = document.getElementById('toolbar');
              if (!bar) { return; }
              function setAll(open) {
                var all = document.querySelectorAll('details');
                for (var i = 0; i < all.length; i++) { all[i].open = open; }
              }
              function button(id, label, onClick) {
                var b = document.createElement('button');
                b.type = 'button';
                b.id = id;
                b.textContent = label;
                b.addEventListener('click', onClick);
                bar.appendChild(b);
                return b;
              }
              button('expand-all', 'Expand all', function () { setAll(true); });
              button('collapse-all', 'Collapse all', function () { setAll(false); });
              var only = button('only-problems', 'Only problems', function () {
                var on = document.body.classList.toggle('only-problems');
                only.setAttribute('aria-pressed', on ? 'true' : 'false');
              });
              only.setAttribute('aria-pressed', 'false');
              bar.hidden = false;
            })();
            """;

    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src '" + sha256(SCRIPT)
            + "'; img-src 'none'; base-uri 'none'; form-action 'none'";

    private final RunModel model;
    private final String title;
    private final @Nullable String modelName;
    private final int maxChars;
    private final Html html = new Html();
    /** How many sub-agents' runs the one being drawn is nested in. */
    private int depth;

    private ReportPage(RunModel model, String title, @Nullable String modelName, int maxChars) {
        this.model = model;
        this.title = title;
        this.modelName = modelName;
        this.maxChars = maxChars;
    }

    static String render(RunModel model, String title, @Nullable String modelName, int maxChars) {
        return new ReportPage(model, title, modelName, maxChars).page();
    }

    private String page() {
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta http-equiv=\"Content-Security-Policy\" content=\"")
                .raw(CSP)
                .raw("\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .raw("<meta name=\"generator\" content=\"agentrt RunReport\">\n<title>")
                .text(title)
                .raw("</title>\n<style>\n")
                .raw(STYLE)
                .raw("</style>\n</head>\n<body>\n<header>\n<h1 id=\"title\">")
                .text(title)
                .raw("</h1>\n<p class=\"meta\">")
                .raw(count(model.runs.size(), "run", "runs"))
                .raw(" · model: <span id=\"model\">")
                .text(modelName != null ? modelName : NONE)
                .raw("</span></p>\n<div id=\"toolbar\" hidden></div>\n</header>\n<main>\n");
        if (model.runs.isEmpty()) {
            html.raw("<p class=\"note\">No events were recorded.</p>\n");
        }
        for (int i = 0; i < model.runs.size(); i++) {
            run(model.runs.get(i), "r" + (i + 1), modelName);
        }
        html.raw("</main>\n<footer>Costs are in the model's currency (usually USD), as its price says; 0 when the")
                .raw(" model has no price. Times are when the report's recorder received each event; ")
                .raw(NONE)
                .raw(" where the events carried none. Long values are cut to ")
                .raw(number(maxChars))
                .raw(" characters. Written by agentrt's RunReport; this page loads nothing from the network.</footer>\n")
                .raw("<script>") // the script's text is exactly SCRIPT: the policy allows it by that hash
                .raw(SCRIPT)
                .raw("</script>\n</body>\n</html>\n");
        return html.toString();
    }

    private void run(Run run, String id, @Nullable String model) {
        Outcome outcome = run.outcome();
        html.raw("<section class=\"run\" id=\"").raw(id).raw("\" data-task=\"").text(run.taskId).raw("\">\n");
        html.raw("<h2>Run <code>").text(run.taskId).raw("</code> <span class=\"outcome ");
        if (outcome == null) {
            html.raw("o-warn\" data-outcome=\"unfinished\">unfinished");
        } else {
            html.raw(outcome == Outcome.COMPLETED ? "o-ok" : "o-bad")
                    .raw("\" data-outcome=\"")
                    .raw(outcome.name())
                    .raw("\">")
                    .raw(outcome.name());
        }
        html.raw("</span></h2>\n<dl class=\"facts\">\n");
        if (run.started != null) {
            html.raw("<dt>Task</dt><dd>");
            value(run.started.input(), "task", false);
            html.raw("</dd>\n<dt>Principal</dt><dd>").text(run.started.principal().id()).raw("</dd>\n");
        }
        html.raw("<dt>Model</dt><dd>").text(model != null ? model : NONE).raw("</dd>\n</dl>\n");
        totals(run);
        notable(run, id);
        html.raw("<h3>Timeline</h3>\n<ol class=\"timeline\">\n");
        for (Step step : run.steps.values()) {
            step(run, step, id + "-s" + step.number);
        }
        html.raw("</ol>\n");
        end(run, id + "-end");
        html.raw("</section>\n");
    }

    private void totals(Run run) {
        Usage usage = run.usage();
        html.raw("<h3>Totals</h3>\n<table class=\"totals\">\n");
        total("steps", "Steps", number(run.stepCount()));
        total("model-calls", "Model calls", number(run.modelCalls));
        total("retries", "Model calls retried", number(run.retries));
        total("input-tokens", "Input tokens", number(usage.inputTokens()));
        total("output-tokens", "Output tokens", number(usage.outputTokens()));
        total("cache-read-tokens", "Cache read tokens", number(usage.cacheReadTokens()));
        total("cache-write-tokens", "Cache write tokens", number(usage.cacheWriteTokens()));
        total("reasoning-tokens", "Reasoning tokens", number(usage.reasoningTokens()));
        total("cost", "Cost", cost(usage.cost()));
        total("tool-calls", "Tool calls", number(run.toolCalls));
        total("tools-succeeded", "Tool calls succeeded", number(run.toolsSucceeded));
        total("tools-failed", "Tool calls failed", number(run.toolsFailed));
        total("denials", "Permission denials", number(run.denials));
        total("approvals", "Approvals asked", number(run.approvalsAsked));
        total("approved", "Approved", number(run.approved));
        total("refused", "Refused", number(run.refused));
        total("duration", "Duration", duration(run.durationNanos()));
        html.raw("</table>\n");
    }

    private void total(String key, String label, String value) {
        html.raw("<tr data-total=\"")
                .raw(key)
                .raw("\"><th>")
                .raw(label)
                .raw("</th><td>")
                .raw(value)
                .raw("</td></tr>\n");
    }

    private void notable(Run run, String runId) {
        if (run.notable.isEmpty()) {
            return;
        }
        html.raw("<section class=\"notable\">\n<h3>Denials, approvals and errors</h3>\n<ul>\n");
        for (Notable n : run.notable) {
            String css = switch (n.kind()) {
                case APPROVED -> "n-ok";
                case RETRY -> "n-warn";
                case DENIED, REFUSED, TOOL_FAILED, RUN_FAILED -> "n-bad";
            };
            String label = switch (n.kind()) {
                case DENIED -> "Denied";
                case APPROVED -> "Approved";
                case REFUSED -> "Approval refused";
                case TOOL_FAILED -> "Tool failed";
                case RETRY -> "Model call retried";
                case RUN_FAILED -> "Run failed";
            };
            String target = n.toolCall() != null
                    ? toolId(runId, n.toolCall())
                    : n.step() != null ? runId + "-s" + n.step().number : runId + "-end";
            html.raw("<li class=\"")
                    .raw(css)
                    .raw("\" data-kind=\"")
                    .raw(n.kind().name().toLowerCase(Locale.ROOT))
                    .raw("\"><a href=\"#")
                    .raw(target)
                    .raw("\">")
                    .raw(label)
                    .raw("</a> ");
            clipped(n.text(), n.text().length());
            html.raw("</li>\n");
        }
        html.raw("</ul>\n</section>\n");
    }

    private void step(Run run, Step step, String id) {
        html.raw("<li class=\"step\" id=\"").raw(id).raw("\" data-step=\"").raw(Integer.toString(step.number));
        html.raw("\">\n<div class=\"step-head\">Step ").raw(Integer.toString(step.number));
        if (timed(step.firstAt) && timed(run.firstAt)) {
            html.raw("<span class=\"at\">at +").raw(duration(step.firstAt - run.firstAt)).raw("</span>");
        }
        if (timed(step.firstAt) && timed(step.endAt())) {
            html.raw("<span class=\"took\">took ").raw(duration(step.endAt() - step.firstAt)).raw("</span>");
        }
        if (step.done != null) {
            Usage u = step.done.stepUsage();
            html.raw("<span class=\"tokens\">")
                    .raw(number(u.inputTokens()))
                    .raw(" in · ")
                    .raw(number(u.outputTokens()))
                    .raw(" out · cost ")
                    .raw(cost(u.cost()))
                    .raw("</span>");
        } else {
            html.raw("<span class=\"badge b-warn\">not finished</span>");
        }
        html.raw("</div>\n");
        bar(run, step.firstAt, step.endAt());
        for (int i = 0; i < step.modelCalls.size(); i++) {
            modelCall(run, step.modelCalls.get(i), id + "-m" + (i + 1));
        }
        for (ToolCallEntry call : step.toolCalls) {
            toolCall(run, step, call, id + "-t" + call.index);
        }
        html.raw("</li>\n");
    }

    private void modelCall(Run run, ModelCall call, String id) {
        AgentEvent.ModelResponse response = call.response;
        AgentEvent.ModelRetry retry = call.retry;
        String state = response != null ? "ok" : retry != null ? "warn" : "bad";
        html.raw("<div class=\"call model ")
                .raw(state)
                .raw("\" id=\"")
                .raw(id)
                .raw("\" data-kind=\"model-call\">\n<div class=\"call-head\"><span class=\"kind\">Model call</span>");
        if (response != null) {
            html.raw("<span class=\"badge b-ok\">").raw(response.finishReason().name()).raw("</span>");
        } else if (retry != null) {
            html.raw("<span class=\"badge b-warn\">failed, retry ").raw(Integer.toString(retry.retry())).raw("</span>");
        } else {
            html.raw("<span class=\"badge b-bad\">no reply</span>");
        }
        html.raw("<span class=\"took\">").raw(duration(call.latencyNanos())).raw("</span></div>\n");
        bar(run, call.requestedAt, call.endedAt);
        html.raw("<dl class=\"kv\">\n");
        kv("Model", modelName != null ? Html.escape(modelName) : NONE);
        if (call.request != null) {
            kv("Messages sent", number(call.request.messages()));
            kv("Tools offered", number(call.request.tools()));
        }
        Usage usage = response != null ? response.usage() : null;
        kv("Input tokens", usage != null ? number(usage.inputTokens()) : NONE);
        kv("Output tokens", usage != null ? number(usage.outputTokens()) : NONE);
        if (usage != null && (usage.cacheReadTokens() > 0 || usage.cacheWriteTokens() > 0)) {
            kv("Cache read", number(usage.cacheReadTokens()));
            kv("Cache write", number(usage.cacheWriteTokens()));
        }
        if (usage != null && usage.reasoningTokens() > 0) {
            kv("Reasoning tokens", number(usage.reasoningTokens()));
        }
        kv("Cost", usage != null ? cost(usage.cost()) : NONE);
        kv("Latency", duration(call.latencyNanos()));
        kv("First token", duration(call.timeToFirstTokenNanos()));
        html.raw("</dl>\n");
        if (retry != null) {
            html.raw("<p class=\"error\">");
            html.raw(retry.status() > 0 ? "HTTP " + retry.status() : "No HTTP response");
            if (retry.requestId() != null) {
                html.raw(", request id <code>").text(retry.requestId()).raw("</code>");
            }
            html.raw(": ");
            clipped(retry.message(), retry.message().length());
            html.raw(" — asked again after ").raw(duration(retry.delayNanos())).raw(".</p>\n");
        }
        streamed("Reasoning", call.reasoning);
        streamed(retry != null ? "Partial reply (discarded)" : "Reply", call.text);
        html.raw("</div>\n");
    }

    private void streamed(String label, Text text) {
        if (text.length > 0) {
            collapsed(label, text.kept(), text.length, "reply");
        }
    }

    private void toolCall(Run run, Step step, ToolCallEntry call, String id) {
        String outcome;
        String css;
        String badge;
        if (call.denied != null) {
            outcome = "denied";
            css = "bad";
            badge = "<span class=\"badge b-bad\">denied</span>";
        } else if (call.failed != null) {
            outcome = "failed";
            css = "bad";
            badge = "<span class=\"badge b-bad\">failed: " + call.failed.kind().name() + "</span>";
        } else if (call.completed != null) {
            outcome = "ok";
            css = "ok";
            badge = "<span class=\"badge b-ok\">ok</span>";
        } else {
            outcome = "unfinished";
            css = "warn";
            badge = "<span class=\"badge b-warn\">no result</span>";
        }
        html.raw("<div class=\"call tool ")
                .raw(css)
                .raw("\" id=\"")
                .raw(id)
                .raw("\" data-kind=\"tool-call\" data-outcome=\"")
                .raw(outcome)
                .raw("\" data-tool=\"")
                .text(call.call.name())
                .raw("\">\n<div class=\"call-head\"><span class=\"kind\">Tool call</span><code class=\"tool-name\">")
                .text(call.call.name())
                .raw("</code>")
                .raw(badge)
                .raw("<span class=\"took\">")
                .raw(duration(call.durationNanos()))
                .raw("</span>");
        if (step.toolCalls.size() > 1 && call.endOrder > 0) {
            html.raw("<span class=\"order\">ended ")
                    .raw(ordinal(call.endOrder))
                    .raw(" of ")
                    .raw(Integer.toString(step.toolCalls.size()))
                    .raw("</span>");
        }
        html.raw("</div>\n");
        if (timed(call.endedAt) && call.durationNanos() != NO_TIME) {
            bar(run, call.endedAt - call.durationNanos(), call.endedAt);
        }
        html.raw("<dl class=\"kv\">\n<dt>Call id</dt><dd><code>").text(call.call.id()).raw("</code></dd>\n");
        kv("Duration", duration(call.durationNanos()));
        html.raw("</dl>\n<dl class=\"facts\">\n<dt>Permission</dt><dd>");
        if (call.denied != null) {
            html.raw("denied, missing ");
            capabilities(call.denied.missing());
        } else if (call.approvalRequested != null) {
            html.raw("missing ");
            capabilities(call.approvalRequested.missing());
        } else if (call.granted != null) {
            html.raw("granted ");
            capabilities(call.granted.capabilities());
        } else {
            html.raw("no capability checked");
        }
        html.raw("</dd>\n");
        if (call.approvalRequested != null || call.decided != null) {
            html.raw("<dt>Approval</dt><dd>");
            if (call.decided == null) {
                html.raw("asked, no answer");
            } else {
                html.raw(call.decided.decision().kind().name()).raw(": ");
                clipped(call.decided.decision().reason(), call.decided.decision().reason().length());
            }
            html.raw("</dd>\n");
        }
        if (call.lastProgress != null) {
            AgentEvent.ToolProgress p = call.lastProgress;
            html.raw("<dt>Progress</dt><dd>")
                    .raw(count(call.progressReports, "report", "reports"))
                    .raw(", last ")
                    .raw(progress(p.progress()));
            if (p.total() != null) {
                html.raw(" of ").raw(progress(p.total()));
            }
            if (p.message() != null) {
                html.raw(": ");
                clipped(p.message(), p.message().length());
            }
            html.raw("</dd>\n");
        }
        html.raw("</dl>\n");
        if (call.denied != null) {
            html.raw("<p class=\"error\">");
            clipped(call.denied.reason(), call.denied.reason().length());
            html.raw("</p>\n");
        } else if (call.failed != null) {
            html.raw("<p class=\"error\">");
            clipped(call.failed.message(), call.failed.message().length());
            html.raw("</p>\n");
        }
        collapsed("Arguments", call.call.arguments(), call.call.arguments().length(), "arguments");
        if (call.completed != null) {
            collapsed("Result", call.completed.result(), call.completed.result().length(), "result");
        }
        subAgent(call, id);
        html.raw("</div>\n");
    }

    /**
     * The run of the sub-agent a call ran, folded from its events and drawn, collapsed, inside the call: its totals,
     * timeline (its own calls, and their sub-agents, one level deeper each) and end. Nesting deeper than
     * {@link #MAX_NESTING} (which agents refuse, so only a crafted event list has it) is said, not drawn.
     */
    private void subAgent(ToolCallEntry call, String id) {
        if (call.subEvents.isEmpty()) {
            return;
        }
        String agent = call.subAgent == null ? NONE : call.subAgent;
        if (depth >= MAX_NESTING) {
            html.raw("<p class=\"note\">Sub-agent <code>")
                    .text(agent)
                    .raw("</code>: nested deeper than ")
                    .raw(Integer.toString(MAX_NESTING))
                    .raw(" levels; its ")
                    .raw(count(call.subEvents.size(), "event is", "events are"))
                    .raw(" not drawn.</p>\n");
            return;
        }
        RunModel nested = RunModel.of(call.subEvents, maxChars);
        depth++;
        try {
            for (int i = 0; i < nested.runs.size(); i++) {
                Run sub = nested.runs.get(i);
                Outcome outcome = sub.outcome();
                html.raw("<details class=\"subagent\" data-agent=\"")
                        .text(agent)
                        .raw("\"><summary>Sub-agent <code>")
                        .text(agent)
                        .raw("</code>: ")
                        .raw(outcome == null ? "unfinished" : outcome.name())
                        .raw(", ")
                        .raw(count(sub.steps.size(), "step", "steps"))
                        .raw(", ")
                        .raw(number(sub.usage().totalTokens()))
                        .raw(" tokens</summary>\n");
                run(sub, id + "-a" + (i + 1), null);
                html.raw("</details>\n");
            }
        } finally {
            depth--;
        }
    }

    private void end(Run run, String id) {
        if (run.completed != null) {
            html.raw("<section class=\"end\" id=\"").raw(id).raw("\">\n<h3>Final answer</h3>\n");
            String text = run.completed.result().text();
            value(text, "answer", true);
            html.raw("</section>\n");
        } else if (run.failed != null) {
            AgentEvent.Failed f = run.failed;
            html.raw("<section class=\"end failed\" id=\"").raw(id).raw("\">\n<h3>Error</h3>\n");
            html.raw("<p class=\"error\" data-error-type=\"")
                    .text(f.errorType())
                    .raw("\"><strong>")
                    .text(f.errorType());
            html.raw("</strong>: ");
            clipped(f.message(), f.message().length());
            html.raw("</p>\n");
            if (!f.partial().text().isEmpty()) {
                collapsed("Last answer before the error", f.partial().text(), f.partial().text().length(), "answer");
            }
            html.raw("</section>\n");
        }
    }

    private static String toolId(String runId, ToolCallEntry call) {
        return runId + "-s" + call.step.number + "-t" + call.index;
    }

    /** A value shown in full up to the bound: short ones as they are, long ones (over 300 characters) collapsed. */
    private void value(String text, String css, boolean pre) {
        if (text.length() > SHORT) {
            html.raw(pre ? "<p>" : "")
                    .text(text.subSequence(0, Html.cutAt(text, Math.min(SHORT, maxChars))))
                    .raw("…")
                    .raw(pre ? "</p>" : "");
            collapsed("Full text", text, text.length(), css);
        } else if (pre) {
            html.raw("<pre class=\"").raw(css).raw("\">").text(text).raw("</pre>");
        } else {
            html.text(text);
        }
    }

    /** A collapsed value: {@code <details>} with the kept text in a {@code <pre>}, and a note of what was cut. */
    private void collapsed(String label, String kept, long length, String css) {
        html.raw("<details class=\"")
                .raw(css)
                .raw("\"><summary>")
                .raw(Html.escape(label))
                .raw(" (")
                .raw(count(length, "character", "characters"))
                .raw(")</summary><pre>");
        int cut = Html.cutAt(kept, maxChars);
        html.text(kept.subSequence(0, cut)).raw("</pre>");
        cutNote(length - cut);
        html.raw("</details>\n");
    }

    /** Short text inline, cut to the bound like the rest. */
    private void clipped(String text, long length) {
        int cut = Html.cutAt(text, maxChars);
        html.text(text.subSequence(0, cut));
        if (length > cut) {
            html.raw(" ");
            cutNote(length - cut);
        }
    }

    private void cutNote(long cutChars) {
        if (cutChars > 0) {
            html.raw("<span class=\"cut\" data-cut=\"")
                    .raw(Long.toString(cutChars))
                    .raw("\">[")
                    .raw(count(cutChars, "more character", "more characters"))
                    .raw(" not shown]</span>");
        }
    }

    private void capabilities(List<Capability> capabilities) {
        if (capabilities.isEmpty()) {
            html.raw("nothing");
            return;
        }
        for (int i = 0; i < capabilities.size(); i++) {
            html.raw(i == 0 ? "" : ", ").raw("<code>");
            clipped(capabilities.get(i).describe(), capabilities.get(i).describe().length());
            html.raw("</code>");
        }
    }

    /** A time line under a heading: where {@code from}..{@code to} lies in the run, when both are known. */
    private void bar(Run run, long from, long to) {
        long total = run.durationNanos();
        if (!timed(from) || !timed(to) || total == NO_TIME || total <= 0) {
            return;
        }
        double left = clamp((from - run.firstAt) * 100.0 / total);
        double width = clamp((to - from) * 100.0 / total);
        width = Math.min(width, 100 - left);
        html.raw("<div class=\"span\" aria-hidden=\"true\"><i style=\"left:")
                .raw(String.format(Locale.ROOT, "%.2f", left))
                .raw("%;width:")
                .raw(String.format(Locale.ROOT, "%.2f", width))
                .raw("%\"></i></div>\n");
    }

    private void kv(String label, String markup) {
        html.raw("<dt>").raw(label).raw("</dt><dd>").raw(markup).raw("</dd>\n");
    }

    private static double clamp(double percent) {
        return Math.max(0, Math.min(100, percent));
    }

    static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String count(long n, String one, String many) {
        return number(n) + " " + (n == 1 ? one : many);
    }

    /** A cost to the millionth, without trailing zeros: {@code 0}, {@code 0.0042}, {@code 1.5}. */
    static String cost(double cost) {
        if (cost == 0) {
            return "0";
        }
        BigDecimal rounded = BigDecimal.valueOf(cost).setScale(6, RoundingMode.HALF_UP);
        return rounded.signum() == 0 ? "&lt; 0.000001" : rounded.stripTrailingZeros().toPlainString();
    }

    /** A duration a person reads at a glance; {@code —} when unknown. */
    static String duration(long nanos) {
        if (nanos == NO_TIME) {
            return NONE;
        }
        long n = Math.max(0, nanos);
        if (n < 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f ms", n / 1e6);
        }
        if (n < 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.0f ms", Math.floor(n / 1e6));
        }
        if (n < 60_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f s", Math.floor(n / 1e7) / 100);
        }
        long seconds = n / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d min %d s", seconds / 60, seconds % 60);
    }

    private static String progress(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String ordinal(int n) {
        int mod100 = n % 100;
        String suffix = mod100 >= 11 && mod100 <= 13
                ? "th"
                : switch (n % 10) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
        return n + suffix;
    }

    private static String sha256(String script) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
