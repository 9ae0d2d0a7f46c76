package dev.agentrt.core.report;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A report's events folded into runs (one per task id, in the order their first events came), each run's steps (by
 * number), and each step's model calls and tool calls (in the order they were asked for). The page is rendered from
 * this. Built once from a list and then only read.
 */
final class RunModel {
    /** The time of an event that was not stamped. */
    static final long NO_TIME = Long.MIN_VALUE;

    /** One event and when it arrived, in nanoseconds of a monotonic clock, or {@link #NO_TIME}. */
    record Stamped(AgentEvent event, long at) {}

    final List<Run> runs;

    private RunModel(List<Run> runs) {
        this.runs = runs;
    }

    /** Folds {@code events}, keeping at most {@code maxChars} characters of a streamed reply. */
    static RunModel of(List<Stamped> events, int maxChars) {
        var runs = new LinkedHashMap<String, Run>();
        for (Stamped s : events) {
            runs.computeIfAbsent(s.event().taskId(), id -> new Run(id, maxChars)).add(s);
        }
        return new RunModel(List.copyOf(runs.values()));
    }

    static boolean timed(long at) {
        return at != NO_TIME;
    }

    /** A text that streams in pieces, kept up to a bound; {@link #length} counts every character that came. */
    static final class Text {
        private final StringBuilder kept = new StringBuilder();
        private final int max;
        long length;

        Text(int max) {
            this.max = max;
        }

        void append(String piece) {
            length += piece.length();
            int room = max + 1 - kept.length(); // one more than shown, so the page knows it was cut
            if (room > 0) {
                kept.append(piece, 0, Math.min(room, piece.length()));
            }
        }

        String kept() {
            return kept.toString();
        }
    }

    static final class Run {
        final String taskId;
        private final int maxChars;
        AgentEvent.@Nullable Started started;
        final TreeMap<Integer, Step> steps = new TreeMap<>();
        AgentEvent.@Nullable Completed completed;
        AgentEvent.@Nullable Failed failed;
        long firstAt = NO_TIME;
        long lastAt = NO_TIME;
        private Usage summed = Usage.ZERO;
        private @Nullable Usage lastStepTotal;
        int modelCalls;
        int retries;
        int toolCalls;
        int toolsSucceeded;
        int toolsFailed;
        int denials;
        int approvalsAsked;
        int approved;
        int refused;
        /** What a person should look at first, in the order it happened. */
        final List<Notable> notable = new ArrayList<>();

        Run(String taskId, int maxChars) {
            this.taskId = taskId;
            this.maxChars = maxChars;
        }

        /** The task's total: the run's own figure where it ended or finished a step, else the sum of its calls. */
        Usage usage() {
            if (completed != null) {
                return completed.result().usage();
            }
            if (failed != null) {
                return failed.partial().usage();
            }
            return lastStepTotal != null ? lastStepTotal : summed;
        }

        /** The steps the run reports, or the steps seen while it has not ended. */
        int stepCount() {
            if (completed != null) {
                return completed.result().steps();
            }
            if (failed != null) {
                return failed.partial().steps();
            }
            return steps.size();
        }

        @Nullable
        Outcome outcome() {
            if (completed != null) {
                return completed.result().outcome();
            }
            return failed != null ? failed.partial().outcome() : null;
        }

        long durationNanos() {
            return timed(firstAt) && timed(lastAt) ? lastAt - firstAt : NO_TIME;
        }

        void add(Stamped s) {
            long at = s.at();
            if (timed(at)) {
                if (!timed(firstAt)) {
                    firstAt = at;
                }
                lastAt = at;
            }
            switch (s.event()) {
                case AgentEvent.Started e -> started = e;
                case AgentEvent.Completed e -> completed = e;
                case AgentEvent.Failed e -> {
                    failed = e;
                    notable.add(new Notable(Notable.Kind.RUN_FAILED, null, null, e.errorType() + ": " + e.message()));
                }
                case AgentEvent.ModelRequest e -> step(e.step(), at).newModelCall(e, at);
                case AgentEvent.TextDelta e -> step(e.step(), at).currentModelCall().text(e.text(), at);
                case AgentEvent.ReasoningDelta e -> step(e.step(), at).currentModelCall().reasoning(e.text(), at);
                case AgentEvent.ModelRetry e -> {
                    Step step = step(e.step(), at);
                    ModelCall call = step.currentModelCall();
                    call.retry = e;
                    call.endedAt = at;
                    step.openCall = null;
                    retries++;
                    notable.add(new Notable(Notable.Kind.RETRY, step, null,
                            "step " + e.step() + ", retry " + e.retry() + ": " + e.message()));
                }
                case AgentEvent.ModelResponse e -> {
                    Step step = step(e.step(), at);
                    ModelCall call = step.currentModelCall();
                    call.response = e;
                    call.endedAt = at;
                    step.openCall = null;
                    modelCalls++;
                    summed = summed.plus(e.usage());
                }
                case AgentEvent.ToolCallRequested e -> {
                    step(e.step(), at).newToolCall(e.call(), at);
                    toolCalls++;
                }
                case AgentEvent.PermissionGranted e -> toolCall(e.step(), e.call(), at).granted = e;
                case AgentEvent.PermissionDenied e -> {
                    ToolCallEntry entry = toolCall(e.step(), e.call(), at);
                    entry.denied = e;
                    denials++;
                    if (entry.decided == null) { // a refused approval is already on the list, with its reason
                        notable.add(new Notable(Notable.Kind.DENIED, entry.step, entry,
                                e.call().name() + ": " + e.reason()));
                    }
                }
                case AgentEvent.ApprovalRequested e -> {
                    toolCall(e.step(), e.call(), at).approvalRequested = e;
                    approvalsAsked++;
                }
                case AgentEvent.ApprovalDecided e -> {
                    ToolCallEntry entry = toolCall(e.step(), e.call(), at);
                    entry.decided = e;
                    if (e.decision().approved()) {
                        approved++;
                    } else {
                        refused++;
                    }
                    notable.add(new Notable(e.decision().approved() ? Notable.Kind.APPROVED : Notable.Kind.REFUSED,
                            entry.step, entry, e.call().name() + ": " + e.decision().reason()));
                }
                case AgentEvent.ToolProgress e -> {
                    ToolCallEntry entry = toolCall(e.step(), e.call(), at);
                    entry.lastProgress = e;
                    entry.progressReports++;
                }
                case AgentEvent.ToolCallCompleted e -> {
                    ToolCallEntry entry = toolCall(e.step(), e.call(), at);
                    entry.completed = e;
                    entry.end(at);
                    toolsSucceeded++;
                }
                case AgentEvent.ToolCallFailed e -> {
                    ToolCallEntry entry = toolCall(e.step(), e.call(), at);
                    entry.failed = e;
                    entry.end(at);
                    toolsFailed++;
                    if (entry.denied == null) { // a denial's error result repeats the denial
                        notable.add(new Notable(Notable.Kind.TOOL_FAILED, entry.step, entry,
                                e.call().name() + " (" + e.kind() + "): " + e.message()));
                    }
                }
                case AgentEvent.SubAgentEvent e -> {
                    // A sub-agent's run, drawn under the call that ran it (folded when the page is rendered).
                    ToolCallEntry entry = toolCall(e.step(), e.call(), at);
                    if (entry.subAgent == null) {
                        entry.subAgent = e.agent();
                    }
                    entry.subEvents.add(new Stamped(e.event(), at));
                }
                case AgentEvent.StepDone e -> {
                    Step step = step(e.step(), at);
                    step.done = e;
                    step.doneAt = at;
                    lastStepTotal = e.totalUsage();
                }
            }
        }

        private Step step(int number, long at) {
            Step step = steps.computeIfAbsent(number, n -> new Step(n, maxChars));
            if (!timed(step.firstAt) && timed(at)) {
                step.firstAt = at;
            }
            if (timed(at)) {
                step.lastAt = at;
            }
            return step;
        }

        private ToolCallEntry toolCall(int step, ToolCall call, long at) {
            return step(step, at).toolCall(call);
        }
    }

    /** Something that went wrong or needed a person: a denial, an approval, a failed tool, a retry, a failed run. */
    record Notable(Kind kind, @Nullable Step step, @Nullable ToolCallEntry toolCall, String text) {
        enum Kind {
            DENIED, APPROVED, REFUSED, TOOL_FAILED, RETRY, RUN_FAILED
        }
    }

    static final class Step {
        final int number;
        private final int maxChars;
        final List<ModelCall> modelCalls = new ArrayList<>();
        final List<ToolCallEntry> toolCalls = new ArrayList<>();
        /** The latest entry of each call id: a model that reuses an id in one step gets an entry per request. */
        private final Map<String, ToolCallEntry> byId = new HashMap<>();
        private @Nullable ModelCall openCall;
        private int ended;
        AgentEvent.@Nullable StepDone done;
        long firstAt = NO_TIME;
        long lastAt = NO_TIME;
        long doneAt = NO_TIME;

        Step(int number, int maxChars) {
            this.number = number;
            this.maxChars = maxChars;
        }

        long endAt() {
            return timed(doneAt) ? doneAt : lastAt;
        }

        void newModelCall(AgentEvent.ModelRequest request, long at) {
            ModelCall call = new ModelCall(maxChars);
            call.request = request;
            call.requestedAt = at;
            modelCalls.add(call);
            openCall = call;
        }

        /** The call the step's deltas and reply belong to: one without a request when the events began mid-call. */
        ModelCall currentModelCall() {
            if (openCall == null) {
                ModelCall call = new ModelCall(maxChars);
                modelCalls.add(call);
                openCall = call;
            }
            return openCall;
        }

        ToolCallEntry newToolCall(ToolCall call, long at) {
            ToolCallEntry entry = new ToolCallEntry(this, call, toolCalls.size() + 1);
            entry.requestedAt = at;
            toolCalls.add(entry);
            byId.put(call.id(), entry);
            return entry;
        }

        /** The entry of {@code call}: a new one when the events began after it was asked for. */
        ToolCallEntry toolCall(ToolCall call) {
            ToolCallEntry entry = byId.get(call.id());
            return entry != null ? entry : newToolCall(call, NO_TIME);
        }
    }

    static final class ModelCall {
        AgentEvent.@Nullable ModelRequest request;
        long requestedAt = NO_TIME;
        final Text text;
        final Text reasoning;
        long firstTokenAt = NO_TIME;
        AgentEvent.@Nullable ModelResponse response;
        AgentEvent.@Nullable ModelRetry retry;
        long endedAt = NO_TIME;

        ModelCall(int maxChars) {
            this.text = new Text(maxChars);
            this.reasoning = new Text(maxChars);
        }

        void text(String piece, long at) {
            firstToken(at);
            text.append(piece);
        }

        void reasoning(String piece, long at) {
            firstToken(at);
            reasoning.append(piece);
        }

        private void firstToken(long at) {
            if (!timed(firstTokenAt)) {
                firstTokenAt = at;
            }
        }

        long latencyNanos() {
            return timed(requestedAt) && timed(endedAt) ? endedAt - requestedAt : NO_TIME;
        }

        long timeToFirstTokenNanos() {
            return timed(requestedAt) && timed(firstTokenAt) ? firstTokenAt - requestedAt : NO_TIME;
        }
    }

    static final class ToolCallEntry {
        final Step step;
        final ToolCall call;
        /** Its place among the step's calls, from 1, in the order they were asked for. */
        final int index;
        long requestedAt = NO_TIME;
        AgentEvent.@Nullable PermissionGranted granted;
        AgentEvent.@Nullable PermissionDenied denied;
        AgentEvent.@Nullable ApprovalRequested approvalRequested;
        AgentEvent.@Nullable ApprovalDecided decided;
        AgentEvent.@Nullable ToolProgress lastProgress;
        int progressReports;
        AgentEvent.@Nullable ToolCallCompleted completed;
        AgentEvent.@Nullable ToolCallFailed failed;
        long endedAt = NO_TIME;
        /** Its place among the step's calls in the order they ended, from 1; 0 while running. */
        int endOrder;
        /** The sub-agent the call ran ({@code Agent.asTool}), or null. */
        @Nullable
        String subAgent;
        /** The sub-agent's own events, in the order they came. */
        final List<Stamped> subEvents = new ArrayList<>();

        ToolCallEntry(Step step, ToolCall call, int index) {
            this.step = step;
            this.call = call;
            this.index = index;
        }

        void end(long at) {
            endedAt = at;
            endOrder = ++step.ended;
        }

        long durationNanos() {
            if (completed != null) {
                return completed.durationNanos();
            }
            return failed != null ? failed.durationNanos() : NO_TIME;
        }
    }
}
