package dev.agentrt.otel;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.tool.ServerTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterBuilder;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerBuilder;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * OpenTelemetry traces and metrics for agents, as the GenAI semantic conventions define them: a span
 * {@code invoke_agent {agent}} per task, {@code chat {model}} per model call and {@code execute_tool {tool}} per
 * tool call, nested as the run nests, with the conventions' attributes; capability denials, approvals, model
 * retries and budget stops as span events; the metrics {@code gen_ai.client.token.usage},
 * {@code gen_ai.client.operation.duration} (model calls, tool calls and whole tasks, with {@code error.type}
 * when they failed), {@code gen_ai.client.operation.time_to_first_chunk} and {@code agentrt.tool.permission.denials}.
 *
 * <p><b>MCP.</b> A tool that carries its call to an MCP server (agent-tools' MCP client tools) adds the MCP
 * conventions' client attributes ({@code mcp.method.name}, {@code mcp.session.id}, {@code jsonrpc.request.id},
 * {@code network.transport}, {@code server.address}...) to its {@code execute_tool} span, as the conventions ask of
 * an MCP instrumentation under a GenAI one, rather than drawing a second span; the request carries the span's
 * context in {@code params._meta}, so the server's span is its child; {@code mcp.client.operation.duration} is
 * recorded. The server side is {@link #serverTelemetry()}.
 *
 * <pre>{@code
 * AgentTelemetry telemetry = AgentTelemetry.builder(openTelemetry).captureContent(true).build();
 * Agent agent = telemetry.instrument(Agent.builder().model(model).tools(search).build(), "researcher");
 *
 * Span request = tracer.spanBuilder("handle request").startSpan();
 * try (Scope scope = request.makeCurrent()) {
 *     agent.task("Find the release notes").executeBlocking();   // invoke_agent researcher is request's child
 * }
 * }</pre>
 *
 * <p><b>Parent.</b> The {@code invoke_agent} span's parent is the span current on the thread that calls
 * {@code execute()}, {@code stream()} or {@code executeBlocking()}, whichever thread the run then starts on;
 * without one there, the span current where the run is subscribed. Model and tool spans are the task span's
 * children, given explicitly: their events arrive on Reactor and tool threads, where no scope is current. While a
 * tool starts (its {@code invoke} and the subscription to its {@code Mono}; all of a blocking tool's body, on its
 * {@code AgentSchedulers.blocking()} thread) its {@code execute_tool} span is {@code Span.current()}, so a span
 * the tool's own code makes is that span's child. Work a non-blocking tool moves to other threads later carries
 * the context only if the tool propagates it ({@code Context.current().wrap(...)}).
 *
 * <p><b>Content.</b> Messages, tool arguments and tool results are recorded only with
 * {@link Builder#captureContent(boolean)} ({@code gen_ai.input.messages} and {@code gen_ai.output.messages} on the
 * task span, the reply text on each chat span, {@code gen_ai.tool.call.arguments} and
 * {@code gen_ai.tool.call.result} on tool spans), with API keys, bearer tokens, passwords and private keys
 * replaced by {@code [REDACTED]}, and each value cut at 16 KB.
 *
 * <p><b>Conventions version.</b> The GenAI conventions are in development, and they ask an instrumentation not to
 * change the version it emits by default, offering the newest only to those who set
 * {@code OTEL_SEMCONV_STABILITY_OPT_IN} (a comma-separated list) to include {@code gen_ai_latest_experimental}. By
 * default agent-otel emits the conventions of semantic-conventions v1.41.0 and says so: its tracer and meter carry
 * that release's schema URL ({@link #DEFAULT_SCHEMA_URL}). With the opt-in it emits the latest experimental
 * conventions it knows, which declare no schema URL because they are no release; where a later version of the
 * conventions renames or adds something, the change comes under the opt-in first. Today both emit the same names:
 * {@code gen_ai.provider.name}, never the deprecated {@code gen_ai.system} (agent-otel never emitted the versions
 * before it). The variable is read from the environment when {@link Builder#build()} runs, or from the source
 * {@link Builder#environment} names.
 *
 * <p><b>Containment.</b> Telemetry never breaks a run: every failure of the OpenTelemetry SDK, a processor or an
 * exporter while recording is caught and logged once per kind. Export happens where the SDK's span processor
 * puts it; with a {@code BatchSpanProcessor} a slow exporter never slows a run, with a
 * {@code SimpleSpanProcessor} it runs on the task's thread.
 *
 * <p>Immutable and thread-safe; one instance serves any number of agents and concurrent tasks. The per-task state
 * lives from a task's {@code Started} event to its {@code Completed} or {@code Failed} event (a cancelled task has
 * one too).
 */
public final class AgentTelemetry {
    /** The {@code OTEL_SEMCONV_STABILITY_OPT_IN} value for the latest experimental GenAI conventions. */
    public static final String LATEST_EXPERIMENTAL_OPT_IN = "gen_ai_latest_experimental";

    /**
     * The schema of the conventions emitted without the opt-in: the GenAI conventions as semantic-conventions
     * v1.41.0 defines them.
     */
    public static final String DEFAULT_SCHEMA_URL = "https://opentelemetry.io/schemas/1.41.0";

    /** The environment variable that opts in to the latest experimental conventions. */
    public static final String STABILITY_OPT_IN_VARIABLE = "OTEL_SEMCONV_STABILITY_OPT_IN";

    /** The instrumentation scope of the spans and metrics. */
    public static final String INSTRUMENTATION_NAME = "dev.agentrt.otel";

    static final List<Long> TOKEN_BUCKETS = List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L,
            1048576L, 4194304L, 16777216L, 67108864L);
    /** The MCP conventions' bucket advice for {@code mcp.client.operation.duration} and the server's. */
    static final List<Double> MCP_DURATION_BUCKETS = List.of(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
            30.0, 60.0, 120.0, 300.0);
    static final List<Double> DURATION_BUCKETS = List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
            10.24, 20.48, 40.96, 81.92);

    final Tracer tracer;
    final LongHistogram tokenUsage;
    final DoubleHistogram operationDuration;
    final DoubleHistogram timeToFirstChunk;
    final LongCounter permissionDenials;
    final DoubleHistogram mcpClientDuration;
    final DoubleHistogram mcpServerDuration;
    /** The application's propagators: what an MCP request's {@code params._meta} carries. */
    final TextMapPropagator propagator;
    final boolean captureContent;
    final String defaultAgentName;
    /** Whether the latest experimental conventions were opted in to. */
    final boolean latestExperimental;
    /** Tasks started and not yet ended, over every agent this instance instruments. */
    final AtomicInteger inFlight = new AtomicInteger();

    private AgentTelemetry(Builder b) {
        this.latestExperimental = optsIn(b.environment.apply(STABILITY_OPT_IN_VARIABLE));
        TracerBuilder tracers = b.openTelemetry.tracerBuilder(INSTRUMENTATION_NAME);
        MeterBuilder meters = b.openTelemetry.meterBuilder(INSTRUMENTATION_NAME);
        if (!latestExperimental) {
            tracers.setSchemaUrl(DEFAULT_SCHEMA_URL);
            meters.setSchemaUrl(DEFAULT_SCHEMA_URL);
        }
        this.tracer = tracers.build();
        Meter meter = meters.build();
        this.tokenUsage = meter.histogramBuilder("gen_ai.client.token.usage")
                .setDescription("Number of input and output tokens used.")
                .setUnit("{token}")
                .ofLongs()
                .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS)
                .build();
        this.operationDuration = meter.histogramBuilder("gen_ai.client.operation.duration")
                .setDescription("GenAI operation duration.")
                .setUnit("s")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        this.timeToFirstChunk = meter.histogramBuilder("gen_ai.client.operation.time_to_first_chunk")
                .setDescription("Time from the request to the first chunk of a streamed reply.")
                .setUnit("s")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        this.permissionDenials = meter.counterBuilder("agentrt.tool.permission.denials")
                .setDescription("Tool calls refused because a capability was not granted or not approved.")
                .setUnit("{denial}")
                .build();
        this.mcpClientDuration = meter.histogramBuilder("mcp.client.operation.duration")
                .setDescription("The duration of the MCP request or notification as observed on the sender from the"
                        + " time it was sent until the response or ack is received.")
                .setUnit("s")
                .setExplicitBucketBoundariesAdvice(MCP_DURATION_BUCKETS)
                .build();
        this.mcpServerDuration = meter.histogramBuilder("mcp.server.operation.duration")
                .setDescription("MCP request or notification duration as observed on the receiver from the time it"
                        + " was received until the result or ack is sent.")
                .setUnit("s")
                .setExplicitBucketBoundariesAdvice(MCP_DURATION_BUCKETS)
                .build();
        this.propagator = b.openTelemetry.getPropagators().getTextMapPropagator();
        this.captureContent = b.captureContent;
        this.defaultAgentName = b.agentName;
    }

    /** Whether {@code value} (the variable's, a comma-separated list) names {@link #LATEST_EXPERIMENTAL_OPT_IN}. */
    static boolean optsIn(@Nullable String value) {
        if (value == null) {
            return false;
        }
        for (String item : value.split(",", -1)) {
            if (item.strip().equalsIgnoreCase(LATEST_EXPERIMENTAL_OPT_IN)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this telemetry emits the latest experimental GenAI conventions ({@code OTEL_SEMCONV_STABILITY_OPT_IN}
     * included {@value #LATEST_EXPERIMENTAL_OPT_IN}) rather than those of {@link #DEFAULT_SCHEMA_URL}.
     */
    public boolean latestExperimentalConventions() {
        return latestExperimental;
    }

    /** Telemetry on {@code openTelemetry} with the defaults: no content, agents named {@code "agent"}. */
    public static AgentTelemetry create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /** Starts configuring telemetry on {@code openTelemetry} (the SDK the application set up, or a no-op). */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    /**
     * {@code agent} with this telemetry as one more listener, named as the builder's {@code agentName}. An agent
     * another calls as a tool ({@link Agent#asTool}) is instrumented on its own, before {@code asTool}: its
     * {@code invoke_agent} span is then the child of the caller's {@code execute_tool} span, in the caller's trace;
     * an agent left uninstrumented is seen only as that tool call.
     */
    public Agent instrument(Agent agent) {
        return instrument(agent, defaultAgentName);
    }

    /**
     * {@code agent} with this telemetry as one more listener, its spans named {@code invoke_agent {agentName}}.
     * The model's name, provider and server come from {@code agent.model()}.
     */
    public Agent instrument(Agent agent, String agentName) {
        return agent.toBuilder().listener(listener(agent, agentName)).build();
    }

    /**
     * The listener {@link #instrument(Agent, String)} adds, for an application that assembles its agent's
     * listeners itself: add it to a builder of {@code agent} (or of an agent with the same model).
     */
    public AgentEvent.Listener listener(Agent agent, String agentName) {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(agentName, "agentName");
        if (agentName.isBlank()) {
            throw new IllegalArgumentException("agentName must not be blank");
        }
        return new GenAiListener(this, ModelInfo.of(agent.model()), agentName);
    }

    /**
     * Telemetry for the requests an MCP server answers ({@code McpServer.Builder.telemetry} in agent-tools): a
     * {@code SERVER} span {@code tools/call {tool}} per call, whose parent is the trace context the client put in
     * the request's {@code params._meta} ({@code traceparent}, {@code tracestate}, {@code baggage}, read with the
     * application's propagators) and which links the span current where the request arrived, if any; the MCP
     * conventions' attributes ({@code mcp.method.name}, {@code gen_ai.tool.name}, {@code jsonrpc.request.id},
     * {@code mcp.session.id}, {@code mcp.protocol.version}, {@code network.transport}, {@code client.address}...);
     * {@code error.type} and an error status when the call failed ({@code tool_error} for a tool's error result);
     * and the metric {@code mcp.server.operation.duration}. The tool runs with the span current, so its own spans,
     * and an agent it runs, continue the client's trace.
     */
    public ServerTelemetry serverTelemetry() {
        return new McpServerTelemetry(this);
    }

    /** How many tasks of instrumented agents have started and not ended: 0 when no task runs (no state leaks). */
    public int tasksInFlight() {
        return inFlight.get();
    }

    /** Configures {@link AgentTelemetry}. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean captureContent;
        private String agentName = "agent";
        private Function<String, @Nullable String> environment = System::getenv;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        /**
         * Whether to record messages, tool arguments and tool results (scrubbed of secrets); off by default,
         * since they may hold personal data.
         */
        public Builder captureContent(boolean capture) {
            this.captureContent = capture;
            return this;
        }

        /** The {@code gen_ai.agent.name} of agents instrumented without a name of their own (default {@code "agent"}). */
        public Builder agentName(String name) {
            Objects.requireNonNull(name, "agentName");
            if (name.isBlank()) {
                throw new IllegalArgumentException("agentName must not be blank");
            }
            this.agentName = name;
            return this;
        }

        /**
         * Where {@link #build()} reads {@code OTEL_SEMCONV_STABILITY_OPT_IN}: a variable's value by its name, null when
         * unset. Default {@code System::getenv}; a test or an application that configures itself elsewhere passes
         * its own.
         */
        public Builder environment(Function<String, @Nullable String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** The telemetry; reads {@code OTEL_SEMCONV_STABILITY_OPT_IN} from the {@link #environment} now. */
        public AgentTelemetry build() {
            return new AgentTelemetry(this);
        }
    }
}
