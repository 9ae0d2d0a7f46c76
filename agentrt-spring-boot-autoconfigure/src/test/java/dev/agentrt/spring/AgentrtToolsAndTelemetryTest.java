package dev.agentrt.spring;

import static dev.agentrt.spring.AgentrtAutoConfigurationTest.names;
import static dev.agentrt.spring.AgentrtStoresTest.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.otel.AgentTelemetry;
import dev.agentrt.tools.ToolMethod;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import reactor.test.StepVerifier;

import java.time.Duration;

/** {@code agentrt.tools.scan} on and off, and the telemetry listener with and without OpenTelemetry. */
@ExtendWith(OutputCaptureExtension.class)
class AgentrtToolsAndTelemetryTest {
    private static final Duration WAIT = Duration.ofMinutes(1);

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final SdkTracerProvider tracing = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(spans))
            .build();
    private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracing).build();

    private final ApplicationContextRunner runner = Contexts.runner();

    @AfterEach
    void closeTracing() {
        openTelemetry.close();
    }

    /** A bean of the application's with a tool method. */
    public static final class Weather {
        @ToolMethod("Current weather for a city")
        public String currentWeather(String city) {
            return "sunny in " + city;
        }
    }

    /** Another bean with a tool of the same name. */
    public static final class OtherWeather {
        @ToolMethod("Current weather, from another service")
        public String currentWeather(String city) {
            return "rainy in " + city;
        }
    }

    @Test
    void toolMethodBeansAreNotToolsUnlessTheApplicationOptsIn() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean(Weather.class, Weather::new)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean("agentrtToolMethods");
                    assertThat(names(context.getBean(Agent.class))).doesNotContain("current_weather");
                });
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean(Weather.class, Weather::new)
                .withPropertyValues("agentrt.tools.scan=false")
                .run(context -> assertThat(names(context.getBean(Agent.class))).doesNotContain("current_weather"));
    }

    @Test
    void withScanOnTheAgentCallsTheToolMethodsOfBeans() {
        var model = ScriptedChatModel.of(Reply.toolCall("current_weather", "{\"city\":\"Paris\"}"),
                Reply.text("Sunny."));
        runner.withBean(ChatModel.class, () -> model)
                .withBean(Weather.class, Weather::new)
                .withPropertyValues("agentrt.tools.scan=true")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasBean("agentrtToolMethods");
                    Agent agent = context.getBean(Agent.class);
                    assertThat(names(agent)).containsExactly("current_weather");
                    StepVerifier.create(agent.task("Weather in Paris?").execute())
                            .assertNext(r -> assertThat(r.text()).isEqualTo("Sunny."))
                            .expectComplete()
                            .verify(WAIT);
                    assertThat(model.requests().get(1).messages().toString()).contains("sunny in Paris");
                });
    }

    @Test
    void scannedToolsThatClashFailTheStartNamingTheBeans() {
        assertFails(runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean("weather", Weather.class, Weather::new)
                .withBean("otherWeather", OtherWeather.class, OtherWeather::new)
                .withPropertyValues("agentrt.tools.scan=true"), "agentrt.tools.scan",
                "[weather, otherWeather] do not make tools: two tools are named 'current_weather'");
    }

    /** A tool bean that can be proxied (not final). */
    public static class Calendar {
        @ToolMethod("Today's date")
        public String today() {
            return "2026-12-06";
        }
    }

    @Test
    void aProxiedToolBeanFailsTheStartSayingWhatToDoInstead() {
        var factory = new org.springframework.aop.framework.ProxyFactory(new Calendar());
        factory.setProxyTargetClass(true);
        Object proxy = factory.getProxy();
        assertFails(runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean("calendar", Calendar.class, () -> (Calendar) proxy)
                .withPropertyValues("agentrt.tools.scan=true"), "agentrt.tools.scan",
                "the bean 'calendar' is a proxy of " + Calendar.class.getName());
    }

    @Test
    void withoutAgentToolsScanningFailsTheStartAndNotScanningIsFine() {
        var noTools = runner.withClassLoader(new FilteredClassLoader("dev.agentrt.tools."))
                .withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")));
        assertFails(noTools.withPropertyValues("agentrt.tools.scan=true"), "agentrt.tools.scan=true",
                "dev.agentrt:agent-tools is not on the class path");
        noTools.run(context -> assertThat(context).hasNotFailed()
                .hasSingleBean(Agent.class)
                .doesNotHaveBean(ToolSource.class));
    }

    @Test
    void withAnOpenTelemetryBeanTheAgentReportsItsTasks() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean(OpenTelemetry.class, () -> openTelemetry)
                .withPropertyValues("agentrt.name=support")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(AgentTelemetry.class);
                    AgentResult result = context.getBean(Agent.class).task("hello").execute().block(WAIT);
                    assertThat(result.text()).isEqualTo("hi");
                    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName)
                            .contains("invoke_agent support");
                    assertThat(context.getBean(AgentTelemetry.class).tasksInFlight()).isZero();
                    // The MCP server's requests are recorded into the same OpenTelemetry.
                    context.getBean(dev.agentrt.core.tool.ServerTelemetry.class)
                            .start("tools/call", "lookup", java.util.Map.of(), java.util.Map.of())
                            .end(null, null);
                    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName)
                            .contains("tools/call lookup");
                });
    }

    @Test
    void withBootsOpenTelemetryAutoConfigurationTheAgentReportsToItsSdk() {
        runner.withConfiguration(org.springframework.boot.autoconfigure.AutoConfigurations.of(
                org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration.class))
                .withBean(io.opentelemetry.sdk.trace.SdkTracerProvider.class, () -> tracing)
                .withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withPropertyValues("agentrt.name=desk")
                .run(context -> {
                    assertThat(context).hasNotFailed()
                            .hasSingleBean(OpenTelemetry.class)
                            .hasSingleBean(AgentTelemetry.class);
                    context.getBean(Agent.class).task("hello").execute().block(WAIT);
                    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName)
                            .contains("invoke_agent desk", "chat");
                });
    }

    @Test
    void everyBuilderFromTheContextGetsTheTelemetryListener() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.builder().reply(Reply.text("hi")).repeat().build())
                .withBean(OpenTelemetry.class, () -> openTelemetry)
                .run(context -> {
                    Agent variant = context.getBean(Agent.Builder.class).name("variant").build();
                    variant.task("hello").execute().block(WAIT);
                    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName)
                            .contains("invoke_agent agent");
                });
    }

    @Test
    void withoutAModelBeanTheLogSaysBuildersGetNoTelemetry(CapturedOutput output) {
        runner.withBean(OpenTelemetry.class, () -> openTelemetry).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(AgentTelemetry.class).doesNotHaveBean(Agent.class);
            Agent agent = context.getBean(Agent.Builder.class).model(ScriptedChatModel.of(Reply.text("hi"))).build();
            assertThat(agent.listeners()).isEmpty();
            assertThat(output.getAll()).contains("the context has no single ChatModel bean, so builders get no "
                    + "telemetry listener");
        });
    }

    @Test
    void telemetryTurnedOffReportsNothing() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean(OpenTelemetry.class, () -> openTelemetry)
                .withPropertyValues("agentrt.telemetry.enabled=false")
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean(AgentTelemetry.class);
                    context.getBean(Agent.class).task("hello").execute().block(WAIT);
                    assertThat(spans.getFinishedSpanItems()).isEmpty();
                });
    }

    @Test
    void withoutOpenTelemetryOrWithoutAgentOtelThereIsNoTelemetry() {
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi"))).run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(AgentTelemetry.class);
            assertThat(context.getBean(Agent.class).listeners()).isEmpty();
        });
        runner.withClassLoader(new FilteredClassLoader(AgentTelemetry.class))
                .withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean(OpenTelemetry.class, () -> openTelemetry)
                .run(context -> {
                    assertThat(context).hasNotFailed().doesNotHaveBean("agentrtTelemetry");
                    assertThat(context.getBean(Agent.class).listeners()).isEmpty();
                });
    }

    @Test
    void theApplicationsTelemetryReplacesTheDefault() {
        var own = AgentTelemetry.builder(openTelemetry).agentName("own").captureContent(true).build();
        runner.withBean(ChatModel.class, () -> ScriptedChatModel.of(Reply.text("hi")))
                .withBean(OpenTelemetry.class, () -> openTelemetry)
                .withBean("ownTelemetry", AgentTelemetry.class, () -> own)
                .run(context -> {
                    assertThat(context).getBean(AgentTelemetry.class).isSameAs(own);
                    context.getBean(Agent.class).task("hello").execute().block(WAIT);
                    assertThat(spans.getFinishedSpanItems()).isNotEmpty();
                });
    }
}
