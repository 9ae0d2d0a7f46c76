package dev.agentrt.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.mcp.McpHttpOptions;
import dev.agentrt.tools.mcp.McpHttpServer;
import dev.agentrt.tools.mcp.McpServer;
import dev.agentrt.tools.mcp.McpTools;
import dev.agentrt.tools.mcp.McpTransportSpec;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Golden traces of an MCP tool call, agentrt's MCP client (an agent's tool) against agentrt's MCP server over
 * streamable HTTP on 127.0.0.1, both traced into one SDK: the agent's {@code execute_tool} span carries the MCP
 * conventions' client attributes (no second client span), the request carries its context in
 * {@code params._meta}, the server's {@code tools/call} span is its child with the server attributes, the
 * served tool's own span and baggage continue the trace, and both MCP duration metrics are recorded; a tool's
 * error result is {@code tool_error} on both sides; a hostile {@code _meta} starts a trace of its own.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpSpansTest {
    private static final String ANY_OBJECT = "{\"type\":\"object\"}";
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("mcp.method.name");
    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("jsonrpc.request.id");
    private static final AttributeKey<String> SESSION = AttributeKey.stringKey("mcp.session.id");
    private static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("mcp.protocol.version");
    private static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("network.transport");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("gen_ai.tool.name");

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                    W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
            .build();
    private final AgentTelemetry telemetry = AgentTelemetry.create(sdk);
    private final Tracer application = sdk.getTracer("the-application");
    /** What the served tools saw of the trace: the baggage's "tenant", by tool. */
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private McpHttpServer server;

    private Tool lookup() {
        return Tool.builder("lookup")
                .description("Looks something up in a database")
                .parameters(JsonValue.parse(ANY_OBJECT).asObject())
                .blockingHandler((args, ctx) -> {
                    String tenant = Baggage.current().getEntryValue("tenant");
                    seen.put("lookup", tenant == null ? "no baggage" : tenant);
                    Span query = application.spanBuilder("database query").startSpan();
                    Scope scope = query.makeCurrent();
                    try {
                        return ToolResult.text("found it");
                    } finally {
                        scope.close();
                        query.end();
                    }
                })
                .build();
    }

    private static Tool broken() {
        return Tool.builder("broken")
                .description("Always fails")
                .parameters(JsonValue.parse(ANY_OBJECT).asObject())
                .blockingHandler((args, ctx) -> ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "the disk is full"))
                .build();
    }

    @BeforeEach
    void serve() {
        server = McpServer.builder(List.of(lookup(), broken()))
                .name("kb")
                .telemetry(telemetry.serverTelemetry())
                .build()
                .serveHttp(McpHttpOptions.defaults());
    }

    @AfterEach
    void close() {
        server.close();
        assertThat(telemetry.tasksInFlight()).isZero();
        sdk.close();
    }

    private AgentResult run(McpTools tools, String tool) {
        Agent agent = telemetry.instrument(Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall(tool, "{}"), Reply.text("done")))
                .tools(tools.tools())
                .grant(tools.capability())
                .build(), "researcher");
        Span request = application.spanBuilder("handle request").startSpan();
        Context withBaggage = Context.current().with(request).with(Baggage.builder().put("tenant", "acme").build());
        Scope scope = withBaggage.makeCurrent();
        try {
            return agent.task("look it up").executeBlocking();
        } finally {
            scope.close();
            request.end();
        }
    }

    private McpTools connect() {
        return McpTools.builder("kb", McpTransportSpec.http(server.url().toString()))
                .connect()
                .block(Duration.ofSeconds(60));
    }

    private SpanData one(String name) {
        List<SpanData> named = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named %s among %s", name, spans.getFinishedSpanItems()).hasSize(1);
        return named.get(0);
    }

    private HistogramPointData point(String metric, Attributes expected) {
        Collection<MetricData> all = metrics.collectAllMetrics();
        MetricData data = all.stream()
                .filter(m -> m.getName().equals(metric))
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no metric " + metric + " among " + all));
        assertThat(data.getUnit()).isEqualTo("s");
        List<HistogramPointData> points = data.getHistogramData()
                .getPoints()
                .stream()
                .filter(p -> p.getAttributes()
                        .equals(expected))
                .toList();
        assertThat(points).as("%s points with %s among %s", metric, expected, data.getHistogramData().getPoints())
                .hasSize(1);
        return points.get(0);
    }

    @Test
    void theServersSpanIsTheChildOfTheAgentsToolSpanAndTheServedToolContinuesTheTrace() {
        AgentResult result;
        try (McpTools tools = connect()) {
            result = run(tools, "lookup");
        }

        assertThat(result.text()).isEqualTo("done");
        SpanData client = one("execute_tool lookup");
        SpanData served = one("tools/call lookup");
        SpanData query = one("database query");
        // The client's attributes are on the agent's tool span: the conventions ask for no second client span.
        assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getKind() == SpanKind.CLIENT)
                .extracting(SpanData::getName)
                .allMatch(name -> name.startsWith("chat"));
        Attributes c = client.getAttributes();
        assertThat(c.get(METHOD)).isEqualTo("tools/call");
        assertThat(c.get(TRANSPORT)).isEqualTo("tcp");
        assertThat(c.get(AttributeKey.stringKey("network.protocol.name"))).isEqualTo("http");
        assertThat(c.get(AttributeKey.stringKey("server.address"))).isEqualTo("127.0.0.1");
        assertThat(c.get(AttributeKey.longKey("server.port"))).isEqualTo((long) server.url().getPort());
        // Our client and server settle on revision 2026-07-28, which has no sessions.
        assertThat(c.get(PROTOCOL)).isEqualTo("2026-07-28");
        assertThat(c.get(SESSION)).isNull();
        assertThat(c.get(REQUEST_ID)).isNotBlank();
        assertThat(c.get(ERROR_TYPE)).isNull();

        assertThat(served.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(served.getTraceId()).isEqualTo(client.getTraceId());
        assertThat(served.getParentSpanId()).isEqualTo(client.getSpanId());
        assertThat(served.getParentSpanContext().isRemote()).isTrue();
        Attributes s = served.getAttributes();
        assertThat(s.get(METHOD)).isEqualTo("tools/call");
        assertThat(s.get(TOOL_NAME)).isEqualTo("lookup");
        assertThat(s.get(AttributeKey.stringKey("gen_ai.operation.name"))).isEqualTo("execute_tool");
        assertThat(s.get(TRANSPORT)).isEqualTo("tcp");
        // Both ends name the same request, and neither a session.
        assertThat(s.get(REQUEST_ID)).isEqualTo(c.get(REQUEST_ID));
        assertThat(s.get(SESSION)).isNull();
        assertThat(s.get(PROTOCOL)).isEqualTo(c.get(PROTOCOL));
        assertThat(served.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

        assertThat(query.getParentSpanId()).isEqualTo(served.getSpanId());
        assertThat(query.getTraceId()).isEqualTo(client.getTraceId());
        assertThat(seen).containsEntry("lookup", "acme");

        var clientMetric = Attributes.builder()
                .put(METHOD, "tools/call")
                .put(AttributeKey.stringKey("gen_ai.operation.name"), "execute_tool")
                .put(TOOL_NAME, "lookup")
                .put(TRANSPORT, "tcp")
                .put(AttributeKey.stringKey("network.protocol.name"), "http")
                .put(AttributeKey.stringKey("server.address"), "127.0.0.1")
                .put(AttributeKey.longKey("server.port"), (long) server.url().getPort())
                .put(PROTOCOL, c.get(PROTOCOL))
                .build();
        assertThat(point("mcp.client.operation.duration", clientMetric).getCount()).isEqualTo(1);
        var serverMetric = Attributes.builder()
                .put(METHOD, "tools/call")
                .put(AttributeKey.stringKey("gen_ai.operation.name"), "execute_tool")
                .put(TOOL_NAME, "lookup")
                .put(TRANSPORT, "tcp")
                .put(AttributeKey.stringKey("network.protocol.name"), "http")
                .put(PROTOCOL, s.get(PROTOCOL))
                .build();
        assertThat(point("mcp.server.operation.duration", serverMetric).getCount()).isEqualTo(1);
    }

    @Test
    void aToolsErrorResultIsAToolErrorOnBothSides() {
        AgentResult result;
        try (McpTools tools = connect()) {
            result = run(tools, "broken");
        }

        assertThat(result.text()).isEqualTo("done");
        SpanData client = one("execute_tool broken");
        SpanData served = one("tools/call broken");
        assertThat(client.getAttributes().get(ERROR_TYPE)).isEqualTo("tool_error");
        assertThat(client.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(served.getAttributes().get(ERROR_TYPE)).isEqualTo("tool_error");
        assertThat(served.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(served.getStatus().getDescription()).isEqualTo("the disk is full");
        assertThat(served.getParentSpanId()).isEqualTo(client.getSpanId());
        Collection<MetricData> all = metrics.collectAllMetrics();
        for (String name : List.of("mcp.client.operation.duration", "mcp.server.operation.duration")) {
            MetricData data = all.stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
            assertThat(data.getHistogramData().getPoints()).singleElement()
                    .extracting(p -> p.getAttributes().get(ERROR_TYPE))
                    .isEqualTo("tool_error");
        }
    }

    @Test
    void aHostileMetaStartsATraceOfItsOwnAndTheCallIsAnswered() throws Exception {
        server.close();
        server = McpServer.builder(List.of(lookup()))
                .telemetry(telemetry.serverTelemetry())
                .build()
                .serveHttp(McpHttpOptions.defaults().stateless(true));
        String garbage = "00-" + "z".repeat(32) + "-" + "0".repeat(16) + "-01";
        String body = """
                {"jsonrpc":"2.0","id":"call-7","method":"tools/call","params":{"name":"lookup","arguments":{},\
                "_meta":{"traceparent":"%s","tracestate":%s,"baggage":"%s","progressToken":7}}}"""
                .formatted(garbage, "[1,2]", "x".repeat(20_000));
        HttpResponse<String> answer;
        try (HttpClient http = HttpClient.newHttpClient()) {
            answer = http.send(HttpRequest.newBuilder(server.url())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("found it");
        SpanData served = one("tools/call lookup");
        assertThat(served.getParentSpanContext().isValid()).isFalse();
        assertThat(served.getAttributes().get(REQUEST_ID)).isEqualTo("call-7");
        assertThat(served.getAttributes().get(SESSION)).isNull();
        assertThat(seen).containsEntry("lookup", "no baggage");
        assertThat(one("database query").getParentSpanId()).isEqualTo(served.getSpanId());
    }
}
