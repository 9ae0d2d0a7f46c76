/**
 * A run as a page a person can read: {@link dev.agentrt.core.report.RunReport} renders a run's
 * {@link dev.agentrt.core.AgentEvent}s as one self-contained HTML file (a timeline of steps, each model call and
 * tool call, denials, approvals, errors and totals) that opens offline in any browser.
 *
 * <pre>{@code
 * RunReport.Recorder recorder = RunReport.builder().model("claude-sonnet-4-5").recorder();
 * agent.task("Fix the failing test").stream().doOnNext(recorder).blockLast();
 * recorder.report().writeTo(Path.of("run.html"));     // blocking: at the edge, not in a Reactor chain
 * }</pre>
 */
@NullMarked
package dev.agentrt.core.report;

import org.jspecify.annotations.NullMarked;
