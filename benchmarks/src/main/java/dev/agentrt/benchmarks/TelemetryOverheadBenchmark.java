package dev.agentrt.benchmarks;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.otel.AgentTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * What telemetry adds to one full turn (model → tool → model, zero-latency scripted model, as in
 * {@link TurnOverheadBenchmark}): {@code off} (no telemetry), {@code noop} ({@code AgentTelemetry} on
 * {@link OpenTelemetry#noop()}, what a library user without an SDK pays) and {@code sdk} (the OpenTelemetry
 * SDK with a {@link BatchSpanProcessor} exporting nowhere and a metric reader that exports nowhere once a
 * minute). Issue 19's target: at most 1 µs and 1 KB per turn added on the no-op. Run all three in one JMH
 * run with {@code -prof gc} and compare: {@code java -jar benchmarks.jar TelemetryOverheadBenchmark -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TelemetryOverheadBenchmark {
    @Param({"off", "noop", "sdk"})
    public String telemetry = "off";

    private @Nullable Agent agent;
    private @Nullable OpenTelemetrySdk sdk;

    @Setup
    public void setUp() {
        Agent plain = Fixtures.agentrtAgent(Fixtures.agentrtModel(Duration.ZERO, 1), Fixtures.agentrtTool());
        agent = switch (telemetry) {
            case "off" -> plain;
            case "noop" -> AgentTelemetry.create(OpenTelemetry.noop()).instrument(plain, "bench");
            case "sdk" -> {
                OpenTelemetrySdk s = OpenTelemetrySdk.builder()
                        .setTracerProvider(SdkTracerProvider.builder()
                                .addSpanProcessor(BatchSpanProcessor.builder(new Nowhere()).build())
                                .build())
                        .setMeterProvider(SdkMeterProvider.builder()
                                .registerMetricReader(PeriodicMetricReader.builder(new NoMetrics())
                                        .setInterval(Duration.ofMinutes(1))
                                        .build())
                                .build())
                        .build();
                sdk = s;
                yield AgentTelemetry.create(s).instrument(plain, "bench");
            }
            default -> throw new IllegalArgumentException("telemetry must be off, noop or sdk: " + telemetry);
        };
        AgentResult r = agent.task(Fixtures.INPUT).execute().block();
        if (r == null || !r.text().equals(Fixtures.ANSWER) || r.steps() != 2) {
            throw new IllegalStateException("the scripted turn did not run: " + r);
        }
    }

    @TearDown
    public void tearDown() {
        if (sdk != null) {
            sdk.close();
        }
    }

    @Benchmark
    public @Nullable AgentResult turn() {
        return agent.task(Fixtures.INPUT).execute().block();
    }

    /** A metric exporter that drops what it is given. */
    static final class NoMetrics implements MetricExporter {
        @Override
        public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
            return AggregationTemporality.CUMULATIVE;
        }

        @Override
        public CompletableResultCode export(Collection<MetricData> metrics) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    /** A span exporter that drops what it is given. */
    static final class Nowhere implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
