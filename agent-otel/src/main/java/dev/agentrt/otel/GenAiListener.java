package dev.agentrt.otel;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Turns one agent's events into spans and metrics. Per task, a {@link Run} lives from {@code Started} to
 * {@code Completed} or {@code Failed}; an event of a task it does not know (one that ended, or started before the
 * listener was there) is ignored. A task's events come in order but, for parallel tool calls, from several
 * threads at once: a run's state is guarded by the run.
 */
final class GenAiListener implements AgentEvent.Listener {
    private static final Logger log = LoggerFactory.getLogger(GenAiListener.class);

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> AGENT_NAME = AttributeKey.stringKey("gen_ai.agent.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<String> RESPONSE_ID = AttributeKey.stringKey("gen_ai.response.id");
    static final AttributeKey<String> CONVERSATION = AttributeKey.stringKey("gen_ai.conversation.id");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey
            .stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHE_READ_TOKENS = AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<Long> CACHE_WRITE_TOKENS = AttributeKey
            .longKey("gen_ai.usage.cache_creation.input_tokens");
    static final AttributeKey<Long> REASONING_TOKENS = AttributeKey.longKey("gen_ai.usage.reasoning.output_tokens");
    static final AttributeKey<Double> TIME_TO_FIRST_CHUNK = AttributeKey
            .doubleKey("gen_ai.response.time_to_first_chunk");
    static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");
    static final AttributeKey<String> TOOL_CALL_ID = AttributeKey.stringKey("gen_ai.tool.call.id");
    static final AttributeKey<String> TOOL_TYPE = AttributeKey.stringKey("gen_ai.tool.type");
    static final AttributeKey<String> TOOL_ARGUMENTS = AttributeKey.stringKey("gen_ai.tool.call.arguments");
    static final AttributeKey<String> TOOL_RESULT = AttributeKey.stringKey("gen_ai.tool.call.result");
    static final AttributeKey<String> INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
    static final AttributeKey<String> OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("agentrt.outcome");
    static final AttributeKey<Long> STEP = AttributeKey.longKey("agentrt.step");
    static final AttributeKey<Long> STEPS = AttributeKey.longKey("agentrt.steps");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("agentrt.reason");
    static final AttributeKey<Double> PROGRESS = AttributeKey.doubleKey("agentrt.tool.progress");
    static final AttributeKey<Double> PROGRESS_TOTAL = AttributeKey.doubleKey("agentrt.tool.progress.total");
    static final AttributeKey<String> PROGRESS_MESSAGE = AttributeKey.stringKey("agentrt.tool.progress.message");
    static final AttributeKey<List<String>> MISSING = AttributeKey.stringArrayKey("agentrt.capabilities.missing");
    static final AttributeKey<String> DECISION = AttributeKey.stringKey("agentrt.approval.decision");
    static final AttributeKey<Long> RETRY = AttributeKey.longKey("agentrt.retry");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<Double> RETRY_DELAY = AttributeKey.doubleKey("agentrt.retry.delay");

    private static final int MAX_RESPONSE_MODELS = 64;

    private final AgentTelemetry telemetry;
    private final ModelInfo model;
    private final String agentName;
    private final String agentSpanName;
    private final String chatSpanName;
    private final Attributes chatMetric;
    private final Attributes inputTokensMetric;
    private final Attributes outputTokensMetric;
    private final Attributes agentMetric;
    private final Attributes[] defaultChatMetrics;
    /**
     * Per model a reply named: the chat metrics' attributes with its {@code gen_ai.response.model} (duration, input
     * tokens, output tokens). Bounded: a server that names ever new models gets metrics without the name.
     */
    private final Map<String, Attributes[]> responseMetrics = new ConcurrentHashMap<>();
    /** Per tool name: the attributes of its duration metric when it succeeds. Bounded by the agent's tools. */
    private final Map<String, Attributes> toolMetrics = new ConcurrentHashMap<>();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    /** Kinds of failure already logged: each is logged once, so a broken exporter does not flood the log. */
    private final Map<String, Boolean> logged = new ConcurrentHashMap<>();

    GenAiListener(AgentTelemetry telemetry, ModelInfo model, String agentName) {
        this.telemetry = telemetry;
        this.model = model;
        this.agentName = agentName;
        this.agentSpanName = "invoke_agent " + agentName;
        String requestModel = model.requestModel();
        this.chatSpanName = requestModel == null ? "chat" : "chat " + requestModel;
        this.chatMetric = modelAttributes("chat").build();
        this.inputTokensMetric = modelAttributes("chat").put(TOKEN_TYPE, "input").build();
        this.outputTokensMetric = modelAttributes("chat").put(TOKEN_TYPE, "output").build();
        this.agentMetric = modelAttributes("invoke_agent").put(AGENT_NAME, agentName).build();
        this.defaultChatMetrics = new Attributes[]{chatMetric, inputTokensMetric, outputTokensMetric};
    }

    private AttributesBuilder modelAttributes(String operation) {
        AttributesBuilder b = Attributes.builder().put(OPERATION, operation).put(PROVIDER, model.provider());
        if (model.requestModel() != null) {
            b.put(REQUEST_MODEL, model.requestModel());
        }
        if (model.address() != null) {
            b.put(SERVER_ADDRESS, model.address()).put(SERVER_PORT, (long) model.port());
        }
        return b;
    }

    @Override
    public @Nullable Object captureContext() {
        Context current = Context.current();
        return current == Context.root() ? null : current;
    }

    @Override
    public void onStarted(AgentEvent.Started started, @Nullable Object captured) {
        try {
            start(started, captured instanceof Context c ? c : Context.current());
        } catch (RuntimeException | LinkageError e) {
            contained(e);
        }
    }

    @Override
    public void onEvent(AgentEvent event) {
        try {
            if (event instanceof AgentEvent.Started started) {
                start(started, Context.current());
                return;
            }
            Run run = runs.get(event.taskId());
            if (run != null) {
                record(run, event);
            }
        } catch (RuntimeException | LinkageError e) {
            contained(e);
        }
    }

    /**
     * Makes the call's {@code execute_tool} span current (under the task's context, so the caller's baggage comes
     * too) while the tool starts: a span the tool makes is the call span's child.
     */
    @Override
    public AgentEvent.Listener.@Nullable Scope enterTool(String taskId, ToolCall call) {
        try {
            Run run = runs.get(taskId);
            if (run == null) {
                return null;
            }
            Span tool = tool(run, call.id());
            if (!(tool == null ? run.agent : tool).getSpanContext().isValid()) {
                // A no-op OpenTelemetry without a caller's span: there is no trace to continue.
                return null;
            }
            io.opentelemetry.context.Scope scope = (tool == null ? run.context : run.context.with(tool)).makeCurrent();
            return () -> {
                try {
                    scope.close();
                } catch (RuntimeException | LinkageError e) {
                    contained(e);
                }
            };
        } catch (RuntimeException | LinkageError e) {
            contained(e);
            return null;
        }
    }

    /**
     * The call's trace for a tool that carries it to another process (an MCP client tool): what it reports goes on
     * the call's {@code execute_tool} span (the MCP conventions ask an MCP instrumentation under a GenAI one to add
     * to the tool span rather than draw its own), and the context it passes on is that span's.
     */
    @Override
    public dev.agentrt.core.tool.@Nullable ToolTrace traceTool(String taskId, ToolCall call) {
        try {
            Run run = runs.get(taskId);
            if (run == null) {
                return null;
            }
            synchronized (run) {
                Span tool = run.tools.get(call.id());
                if (tool == null) {
                    return null;
                }
                return run.traces.computeIfAbsent(call.id(), id -> new CallTrace(telemetry.propagator, tool,
                        run.context.with(tool)));
            }
        } catch (RuntimeException | LinkageError e) {
            contained(e);
            return null;
        }
    }

    /** How many tasks this listener follows now. */
    int runs() {
        return runs.size();
    }

    private void contained(Throwable e) {
        if (logged.putIfAbsent(e.getClass().getName(), Boolean.TRUE) == null) {
            log.warn("agent-otel: recording telemetry failed; the task goes on (logged once per kind of failure)", e);
        }
    }

    private void start(AgentEvent.Started started, Context parent) {
        SpanBuilder b = telemetry.tracer.spanBuilder(agentSpanName)
                .setParent(parent)
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "invoke_agent")
                .setAttribute(PROVIDER, model.provider())
                .setAttribute(AGENT_NAME, agentName)
                .setAttribute(CONVERSATION, started.taskId());
        if (model.requestModel() != null) {
            b.setAttribute(REQUEST_MODEL, model.requestModel());
        }
        if (telemetry.captureContent) {
            b.setAttribute(INPUT_MESSAGES, Messages.user(Scrubber.scrub(started.input())));
        }
        Span span = b.startSpan();
        Run previous = runs.put(started.taskId(), new Run(span, parent.with(span), System.nanoTime()));
        if (previous == null) {
            telemetry.inFlight.incrementAndGet();
        } else {
            // Two concurrent runs with one task id (Task.withId): the earlier one is followed no further.
            previous.endAll("superseded", "a run with the same task id started");
        }
    }

    private void record(Run run, AgentEvent event) {
        switch (event) {
            case AgentEvent.ModelRequest e -> {
                synchronized (run) {
                    run.endChat("abandoned", null);
                    run.chat = telemetry.tracer.spanBuilder(chatSpanName)
                            .setParent(run.context)
                            .setSpanKind(SpanKind.CLIENT)
                            .setAllAttributes(chatMetric)
                            .setAttribute(STEP, (long) e.step())
                            .startSpan();
                    run.chatStart = System.nanoTime();
                    run.firstChunk = false;
                    run.reply = telemetry.captureContent ? new StringBuilder() : null;
                }
            }
            case AgentEvent.TextDelta e -> chunk(run, e.text());
            case AgentEvent.ReasoningDelta e -> chunk(run, null);
            case AgentEvent.ModelResponse e -> {
                Span chat;
                long took;
                synchronized (run) {
                    chat = run.chat;
                    took = System.nanoTime() - run.chatStart;
                    run.chat = null;
                    if (chat != null) {
                        Usage u = e.usage();
                        String finish = finishReason(e.finishReason());
                        chat.setAttribute(FINISH_REASONS, List.of(finish));
                        usage(chat, u);
                        StringBuilder reply = run.reply;
                        if (reply != null) {
                            chat.setAttribute(OUTPUT_MESSAGES,
                                    Messages.assistant(Scrubber.scrub(reply.toString()), finish));
                            run.reply = null;
                        }
                    }
                }
                if (chat != null) {
                    String id = e.responseId();
                    if (id != null) {
                        chat.setAttribute(RESPONSE_ID, id);
                    }
                    String responseModel = e.responseModel();
                    if (responseModel != null) {
                        chat.setAttribute(RESPONSE_MODEL, responseModel);
                    }
                    chat.end();
                    Attributes[] metric = chatMetrics(responseModel);
                    telemetry.operationDuration.record(seconds(took), metric[0]);
                    Usage u = e.usage();
                    telemetry.tokenUsage.record(u.inputTokens(), metric[1]);
                    telemetry.tokenUsage.record(u.outputTokens(), metric[2]);
                }
            }
            case AgentEvent.ModelRetry e -> {
                String error = e.status() > 0 ? Integer.toString(e.status()) : "ModelException";
                long took;
                Span chat;
                synchronized (run) {
                    chat = run.chat;
                    took = System.nanoTime() - run.chatStart;
                    run.chat = null;
                    run.reply = null;
                }
                if (chat != null) {
                    chat.setAttribute(ERROR_TYPE, error);
                    chat.setStatus(StatusCode.ERROR, e.message());
                    chat.end();
                    telemetry.operationDuration.record(seconds(took), chatMetric.toBuilder()
                            .put(ERROR_TYPE, error)
                            .build());
                }
                AttributesBuilder a = Attributes.builder()
                        .put(STEP, (long) e.step())
                        .put(RETRY, (long) e.retry())
                        .put(REASON, e.message())
                        .put(RETRY_DELAY, seconds(e.delayNanos()));
                if (e.status() > 0) {
                    a.put(HTTP_STATUS, (long) e.status());
                }
                run.agent.addEvent("agentrt.model.retry", a.build());
            }
            case AgentEvent.ToolCallRequested e -> {
                ToolCall call = e.call();
                String parentId = e.parentCallId();
                // A call a tool made (code mode) is a child of the calling tool's span.
                Span caller = parentId == null ? null : tool(run, parentId);
                Span tool = toolSpan(run, caller, call, e.step());
                synchronized (run) {
                    run.tools.put(call.id(), tool);
                }
            }
            case AgentEvent.PermissionGranted e -> {
                // Granted calls are the rule: the span's ending OK says it.
            }
            case AgentEvent.ToolProgress e -> {
                Span tool = tool(run, e.call().id());
                if (tool != null) {
                    // At most 1,000 per call (the registry's cap); the SDK's span limits keep fewer.
                    var progress = Attributes.builder().put(PROGRESS, e.progress());
                    Double total = e.total();
                    if (total != null) {
                        progress.put(PROGRESS_TOTAL, total);
                    }
                    String message = e.message();
                    if (message != null && telemetry.captureContent) {
                        progress.put(PROGRESS_MESSAGE, Scrubber.scrub(message));
                    }
                    tool.addEvent("agentrt.tool.progress", progress.build());
                }
            }
            case AgentEvent.PermissionDenied e -> {
                Span tool = tool(run, e.call().id());
                if (tool != null) {
                    tool.addEvent("agentrt.permission.denied", Attributes.of(REASON, e.reason(), MISSING,
                            describe(e.missing())));
                }
                telemetry.permissionDenials.add(1, Attributes.of(TOOL_NAME, e.call().name(), AGENT_NAME, agentName));
            }
            case AgentEvent.ApprovalRequested e -> {
                Span tool = tool(run, e.call().id());
                if (tool != null) {
                    tool.addEvent("agentrt.approval.requested", Attributes.of(MISSING, describe(e.missing())));
                }
            }
            case AgentEvent.ApprovalDecided e -> {
                Span tool = tool(run, e.call().id());
                if (tool != null) {
                    tool.addEvent("agentrt.approval.decided", Attributes.of(DECISION,
                            e.decision().kind().name().toLowerCase(Locale.ROOT), REASON, e.decision().reason()));
                }
            }
            case AgentEvent.ToolCallCompleted e -> {
                CallTrace trace = removeTrace(run, e.call().id());
                Span tool = removeTool(run, e.call(), e.step());
                if (telemetry.captureContent) {
                    tool.setAttribute(TOOL_RESULT, Scrubber.scrub(e.result()));
                }
                tool.end();
                telemetry.operationDuration.record(seconds(e.durationNanos()), toolMetric(e.call().name()));
                if (trace != null) {
                    trace.recordMcp(telemetry, e.call().name(), e.durationNanos(), null);
                }
            }
            case AgentEvent.ToolCallFailed e -> {
                CallTrace trace = removeTrace(run, e.call().id());
                Span tool = removeTool(run, e.call(), e.step());
                String reported = trace == null ? null : trace.errorType();
                // What the tool knows of the failure (an MCP server's JSON-RPC code, "tool_error") says more than
                // the registry's kind.
                String error = reported != null ? reported : e.kind().name().toLowerCase(Locale.ROOT);
                tool.setAttribute(ERROR_TYPE, error);
                tool.setStatus(StatusCode.ERROR, error);
                if (telemetry.captureContent) {
                    tool.setAttribute(TOOL_RESULT, Scrubber.scrub(e.message()));
                }
                tool.end();
                telemetry.operationDuration.record(seconds(e.durationNanos()), toolMetric(e.call().name()).toBuilder()
                        .put(ERROR_TYPE, error)
                        .build());
                if (trace != null) {
                    trace.recordMcp(telemetry, e.call().name(), e.durationNanos(), error);
                }
            }
            case AgentEvent.StepDone e -> {
                // Usage is on each chat span; the task's total goes on the task span at its end.
            }
            case AgentEvent.SubAgentEvent e -> {
                // A sub-agent's run is traced by the sub-agent's own telemetry, which starts it under the call's
                // span (enterTool makes it current); here it is the call's span, and drawing it again would
                // double it.
            }
            case AgentEvent.Completed e -> finish(run, e.taskId(), e.result(), null, null);
            case AgentEvent.Failed e -> finish(run, e.taskId(), e.partial(), e.errorType(), e.message());
            case AgentEvent.Started e -> throw new IllegalStateException("handled by start");
        }
    }

    private void chunk(Run run, @Nullable String text) {
        boolean first;
        long took;
        Span chat;
        synchronized (run) {
            chat = run.chat;
            if (chat == null) {
                return;
            }
            first = !run.firstChunk;
            run.firstChunk = true;
            took = System.nanoTime() - run.chatStart;
            StringBuilder reply = run.reply;
            if (reply != null && text != null && reply.length() <= Scrubber.MAX_CHARS) {
                reply.append(text);
            }
        }
        if (first) {
            double s = seconds(took);
            chat.setAttribute(TIME_TO_FIRST_CHUNK, s);
            telemetry.timeToFirstChunk.record(s, chatMetric);
        }
    }

    private Span toolSpan(Run run, @Nullable Span caller, ToolCall call, int step) {
        SpanBuilder b = telemetry.tracer.spanBuilder("execute_tool " + call.name())
                .setParent(caller == null ? run.context : run.context.with(caller))
                .setSpanKind(SpanKind.INTERNAL)
                .setAttribute(OPERATION, "execute_tool")
                .setAttribute(PROVIDER, model.provider())
                .setAttribute(TOOL_NAME, call.name())
                .setAttribute(TOOL_CALL_ID, call.id())
                .setAttribute(TOOL_TYPE, "function")
                .setAttribute(STEP, (long) step);
        if (telemetry.captureContent) {
            b.setAttribute(TOOL_ARGUMENTS, Scrubber.scrub(call.arguments()));
        }
        return b.startSpan();
    }

    private static @Nullable Span tool(Run run, String callId) {
        synchronized (run) {
            return run.tools.get(callId);
        }
    }

    /** The call's span, taken out of the run; a call that never ran (cut short by the token limit) gets one now. */
    private Span removeTool(Run run, ToolCall call, int step) {
        Span tool;
        synchronized (run) {
            tool = run.tools.remove(call.id());
        }
        return tool != null ? tool : toolSpan(run, null, call, step);
    }

    private static @Nullable CallTrace removeTrace(Run run, String callId) {
        synchronized (run) {
            return run.traces.remove(callId);
        }
    }

    /** The chat metrics' attributes (duration, input tokens, output tokens) for a reply from {@code responseModel}. */
    private Attributes[] chatMetrics(@Nullable String responseModel) {
        if (responseModel == null) {
            return defaultChatMetrics;
        }
        Attributes[] a = responseMetrics.get(responseModel);
        if (a == null) {
            a = new Attributes[]{chatMetric.toBuilder().put(RESPONSE_MODEL, responseModel).build(),
                    inputTokensMetric.toBuilder().put(RESPONSE_MODEL, responseModel).build(),
                    outputTokensMetric.toBuilder().put(RESPONSE_MODEL, responseModel).build()};
            if (responseMetrics.size() < MAX_RESPONSE_MODELS) {
                responseMetrics.putIfAbsent(responseModel, a);
            }
        }
        return a;
    }

    private Attributes toolMetric(String tool) {
        Attributes a = toolMetrics.get(tool);
        if (a == null) {
            a = toolMetrics.computeIfAbsent(tool, t -> Attributes.of(OPERATION, "execute_tool", PROVIDER,
                    model.provider(), TOOL_NAME, t));
        }
        return a;
    }

    private void finish(Run run, String taskId, AgentResult result, @Nullable String errorType,
            @Nullable String message) {
        if (!runs.remove(taskId, run)) {
            return;
        }
        telemetry.inFlight.decrementAndGet();
        Outcome outcome = result.outcome();
        String outcomeName = outcome.name().toLowerCase(Locale.ROOT);
        String error = errorType == null
                ? null
                : outcome == Outcome.CANCELLED
                        ? "cancelled"
                        : outcome.isLimit() || outcome == Outcome.INVALID_OUTPUT ? outcomeName : errorType;
        Span agent = run.agent;
        if (outcome.isLimit()) {
            agent.addEvent("agentrt.budget.exceeded", Attributes.of(OUTCOME, outcomeName, REASON,
                    message == null ? outcomeName : message));
        }
        run.endAll(error == null ? "abandoned" : error, message);
        agent.setAttribute(OUTCOME, outcomeName);
        agent.setAttribute(STEPS, (long) result.steps());
        usage(agent, result.usage());
        if (telemetry.captureContent && errorType == null) {
            agent.setAttribute(OUTPUT_MESSAGES, Messages.assistant(Scrubber.scrub(result.text()), "stop"));
        }
        if (error != null) {
            agent.setAttribute(ERROR_TYPE, error);
            agent.setStatus(StatusCode.ERROR, message == null ? error : message);
        }
        agent.end();
        double took = seconds(System.nanoTime() - run.startNanos);
        telemetry.operationDuration.record(took,
                error == null ? agentMetric : agentMetric.toBuilder().put(ERROR_TYPE, error).build());
    }

    private static void usage(Span span, Usage u) {
        span.setAttribute(INPUT_TOKENS, u.inputTokens());
        span.setAttribute(OUTPUT_TOKENS, u.outputTokens());
        if (u.cacheReadTokens() > 0) {
            span.setAttribute(CACHE_READ_TOKENS, u.cacheReadTokens());
        }
        if (u.cacheWriteTokens() > 0) {
            span.setAttribute(CACHE_WRITE_TOKENS, u.cacheWriteTokens());
        }
        if (u.reasoningTokens() > 0) {
            span.setAttribute(REASONING_TOKENS, u.reasoningTokens());
        }
    }

    static String finishReason(FinishReason reason) {
        return switch (reason) {
            case STOP -> "stop";
            case TOOL_CALLS -> "tool_calls";
            case LENGTH -> "length";
            case CONTENT_FILTER -> "content_filter";
            case STOP_SEQUENCE -> "stop_sequence";
            case OTHER -> "other";
        };
    }

    private static List<String> describe(List<Capability> capabilities) {
        return capabilities.stream().map(Capability::describe).toList();
    }

    private static double seconds(long nanos) {
        return nanos / (double) TimeUnit.SECONDS.toNanos(1);
    }

    /** One task's open spans. Fields other than the finals are guarded by the run. */
    private static final class Run {
        final Span agent;
        /** The task span's context: the explicit parent of the task's model and tool spans. */
        final Context context;
        final long startNanos;
        @Nullable
        Span chat;
        long chatStart;
        boolean firstChunk;
        /** The reply's text so far, when content is captured. */
        @Nullable
        StringBuilder reply;
        final Map<String, Span> tools = new HashMap<>(4);
        /** The traces tools asked for, by call id (few calls ask: those that go to another process). */
        final Map<String, CallTrace> traces = new HashMap<>(2);

        Run(Span agent, Context context, long startNanos) {
            this.agent = agent;
            this.context = context;
            this.startNanos = startNanos;
        }

        void endChat(String error, @Nullable String message) {
            Span chat = this.chat;
            if (chat != null) {
                this.chat = null;
                chat.setAttribute(ERROR_TYPE, error);
                chat.setStatus(StatusCode.ERROR, message == null ? error : message);
                chat.end();
            }
        }

        /** Ends the spans still open when the task ends: the model call or tool calls it was waiting for. */
        synchronized void endAll(String error, @Nullable String message) {
            endChat(error, message);
            for (Span tool : tools.values()) {
                tool.setAttribute(ERROR_TYPE, error);
                tool.setStatus(StatusCode.ERROR, message == null ? error : message);
                tool.end();
            }
            tools.clear();
            traces.clear();
        }
    }

    /**
     * One call's trace: attributes go on its span at once; those the MCP metrics carry are kept for
     * {@code mcp.client.operation.duration}, recorded when the call ends if the tool said it was an MCP request.
     * Guarded by the instance.
     */
    private static final class CallTrace implements dev.agentrt.core.tool.ToolTrace {
        private final io.opentelemetry.context.propagation.TextMapPropagator propagator;
        private final Span span;
        private final Context context;
        private final AttributesBuilder metric = Attributes.builder();
        private @Nullable String method;
        private @Nullable String errorType;

        CallTrace(io.opentelemetry.context.propagation.TextMapPropagator propagator, Span span, Context context) {
            this.propagator = propagator;
            this.span = span;
            this.context = context;
        }

        @Override
        public void attribute(String key, String value) {
            record(key, value);
        }

        @Override
        public void attribute(String key, long value) {
            record(key, value);
        }

        private void record(String key, Object value) {
            try {
                if (key.equals(ERROR_TYPE.getKey())) {
                    // The call's error type if it fails; set on the span by the registry's ToolCallFailed.
                    synchronized (this) {
                        errorType = String.valueOf(value);
                    }
                    return;
                }
                if (McpAttributes.record(span, this, metric, key, value) && key.equals(McpAttributes.METHOD)) {
                    synchronized (this) {
                        method = String.valueOf(value);
                    }
                }
            } catch (RuntimeException | LinkageError e) {
                McpServerTelemetry.contained(e);
            }
        }

        @Override
        public void inject(java.util.function.BiConsumer<String, String> carrier) {
            // Set by the application's propagators (W3C trace context and baggage by default); nothing for a
            // span that is not sampled into a trace.
            McpAttributes.inject(propagator, context, carrier);
        }

        synchronized @Nullable String errorType() {
            return errorType;
        }

        /** Records {@code mcp.client.operation.duration} if the tool reported an MCP method. */
        void recordMcp(AgentTelemetry telemetry, String tool, long nanos, @Nullable String error) {
            Attributes attributes;
            synchronized (this) {
                if (method == null) {
                    return;
                }
                metric.put(OPERATION, "execute_tool").put(TOOL_NAME, tool);
                if (error != null) {
                    metric.put(ERROR_TYPE, error);
                }
                attributes = metric.build();
            }
            telemetry.mcpClientDuration.record(seconds(nanos), attributes);
        }
    }
}
