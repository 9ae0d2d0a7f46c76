package dev.agentrt.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentrt.core.Agent;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One export over OTLP/HTTP, as an application's SDK would send it, to a receiver on 127.0.0.1 that decodes it with
 * the OTLP protobuf classes: the spans arrive with their names, nesting and GenAI attributes.
 */
class OtlpExportTest {
    private final List<ExportTraceServiceRequest> received = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();
    private final HttpServer receiver;

    OtlpExportTest() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                received.add(ExportTraceServiceRequest.parseFrom(body.readAllBytes()));
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                if (answer.length > 0) {
                    exchange.getResponseBody().write(answer);
                }
            }
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    @Test
    void aRunsSpansArriveOverOtlpHttpWithTheirNestingAndGenAiAttributes() {
        String endpoint = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
        var processor = BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build())
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(processor).build())
                .build();
        try {
            AgentTelemetry telemetry = AgentTelemetry.create(sdk);
            Tool echo = Tool.builder("echo")
                    .description("Echoes its text")
                    .parameters(JsonValue.parse("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}}}")
                            .asObject())
                    .handler((args, ctx) -> Mono.just(ToolResult.text("echo: " + args.getString("text").orElse(""))))
                    .build();
            var model = ScriptedChatModel.of(
                    Reply.of("", List.of(new ToolCall("call_1", "echo", "{\"text\":\"hi\"}")), Usage.of(12, 3)),
                    Reply.events(ChatEvent.text("echoed"), new ChatEvent.UsageReport(Usage.of(20, 4)),
                            new ChatEvent.Finish(FinishReason.STOP, "resp-2", "scripted-2026")));
            Agent agent = telemetry.instrument(Agent.builder().model(model).tools(echo).build(), "exporter");

            agent.task("say hi through echo").executeBlocking();
            CompletableResultCode flushed = sdk.getSdkTracerProvider().forceFlush().join(30, TimeUnit.SECONDS);

            assertThat(flushed.isSuccess()).isTrue();
            assertThat(telemetry.tasksInFlight()).isZero();
        } finally {
            sdk.close();
        }

        assertThat(contentTypes).isNotEmpty().allSatisfy(t -> assertThat(t).isEqualTo("application/x-protobuf"));
        List<Span> all = new ArrayList<>();
        for (ExportTraceServiceRequest request : received) {
            for (ResourceSpans resource : request.getResourceSpansList()) {
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    assertThat(scope.getScope().getName()).isEqualTo(AgentTelemetry.INSTRUMENTATION_NAME);
                    assertThat(scope.getSchemaUrl()).isEqualTo(AgentTelemetry.DEFAULT_SCHEMA_URL);
                    all.addAll(scope.getSpansList());
                }
            }
        }
        assertThat(all).extracting(Span::getName)
                .containsExactlyInAnyOrder("invoke_agent exporter", "chat", "execute_tool echo", "chat");
        Span task = one(all, "invoke_agent exporter");
        assertThat(task.getParentSpanId().isEmpty()).isTrue();
        assertThat(task.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_INTERNAL);
        assertThat(attributes(task)).containsEntry("gen_ai.operation.name", "invoke_agent")
                .containsEntry("gen_ai.provider.name", "agentrt.scripted")
                .containsEntry("gen_ai.agent.name", "exporter")
                .containsEntry("gen_ai.usage.input_tokens", 32L)
                .containsEntry("gen_ai.usage.output_tokens", 7L);
        Span tool = one(all, "execute_tool echo");
        assertThat(tool.getParentSpanId()).isEqualTo(task.getSpanId());
        assertThat(tool.getTraceId()).isEqualTo(task.getTraceId());
        assertThat(attributes(tool)).containsEntry("gen_ai.operation.name", "execute_tool")
                .containsEntry("gen_ai.tool.name", "echo")
                .containsEntry("gen_ai.tool.call.id", "call_1")
                .containsEntry("gen_ai.tool.type", "function")
                .doesNotContainKey("gen_ai.tool.call.arguments");
        List<Span> chats = all.stream().filter(s -> s.getName().equals("chat")).toList();
        assertThat(chats).allSatisfy(c -> {
            assertThat(c.getParentSpanId()).isEqualTo(task.getSpanId());
            assertThat(c.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
            assertThat(attributes(c)).containsEntry("gen_ai.operation.name", "chat");
        });
        assertThat(chats).extracting(OtlpExportTest::attributes)
                .anySatisfy(a -> assertThat(a).containsEntry("gen_ai.response.finish_reasons", List.of("tool_calls"))
                        .doesNotContainKey("gen_ai.response.id"))
                .anySatisfy(a -> assertThat(a).containsEntry("gen_ai.response.finish_reasons", List.of("stop"))
                        .containsEntry("gen_ai.response.id", "resp-2")
                        .containsEntry("gen_ai.response.model", "scripted-2026")
                        .containsEntry("gen_ai.usage.input_tokens", 20L));
    }

    private static Span one(List<Span> all, String name) {
        List<Span> named = all.stream().filter(s -> s.getName().equals(name)).toList();
        assertThat(named).as("spans named %s", name).hasSize(1);
        return named.get(0);
    }

    /** A span's attributes as plain values: strings, longs, doubles, booleans and lists of them. */
    private static Map<String, Object> attributes(Span span) {
        var map = new HashMap<String, Object>();
        for (KeyValue kv : span.getAttributesList()) {
            map.put(kv.getKey(), plain(kv.getValue()));
        }
        return map;
    }

    private static Object plain(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> v.getDoubleValue();
            case BOOL_VALUE -> v.getBoolValue();
            case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(OtlpExportTest::plain).toList();
            default -> v.toString();
        };
    }
}
