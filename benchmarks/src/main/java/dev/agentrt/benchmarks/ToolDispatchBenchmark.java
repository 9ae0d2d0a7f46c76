package dev.agentrt.benchmarks;

import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The registry's cost of one tool call with a small argument object, end to end except the
 * method's own work: finding the tool, parsing the JSON arguments, validating them against the
 * generated schema, the capability check against the grants, binding the arguments to Java
 * parameters, invoking the method and wrapping its result. Two tools from {@code Tools.from}: one
 * whose method returns a {@code Mono} (called on the caller's thread) and one plain method (run on
 * the blocking scheduler, so its number includes the hop to a virtual thread and back).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ToolDispatchBenchmark {
    /** The tools under test. */
    public static final class Weather {
        /** A forecast request. */
        public enum Unit {
            CELSIUS, FAHRENHEIT
        }

        @ToolMethod(value = "Forecast for a city", requires = "weather:read")
        public Mono<String> forecast(@Param("City name") String city, @Param("Days ahead") int days,
                @Param("Unit") Unit unit) {
            return Mono.just(city + ":" + days + ":" + unit);
        }

        @ToolMethod(value = "Forecast for a city, as a plain method", requires = "weather:read")
        public String forecastBlocking(@Param("City name") String city, @Param("Days ahead") int days,
                @Param("Unit") Unit unit) {
            return city + ":" + days + ":" + unit;
        }
    }

    static final String ARGS = "{\"city\":\"Oslo\",\"days\":3,\"unit\":\"CELSIUS\"}";

    private @Nullable ToolRegistry registry;
    private @Nullable ToolExecution execution;
    private final ToolCall reactive = new ToolCall("call_1", "forecast", ARGS);
    private final ToolCall blocking = new ToolCall("call_2", "forecast_blocking", ARGS);

    @Setup
    public void setUp() {
        List<Tool> tools = Tools.from(new Weather());
        registry = ToolRegistry.of(tools);
        execution = ToolExecution.of("t1", Principal.ANONYMOUS, Grants.of(Capability.custom("weather", "read")));
        for (ToolCall call : List.of(reactive, blocking)) {
            ToolResult r = registry.execute(call, execution).block();
            if (r == null || r.isError() || !r.content().equals("Oslo:3:CELSIUS")) {
                throw new IllegalStateException("the tool call did not run: " + r);
            }
        }
    }

    @Benchmark
    public @Nullable ToolResult reactiveMethod() {
        return registry.execute(reactive, execution).block();
    }

    @Benchmark
    public @Nullable ToolResult blockingMethod() {
        return registry.execute(blocking, execution).block();
    }
}
