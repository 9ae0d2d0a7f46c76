package dev.agentrt.spring;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.core.model.EmbeddingModel;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.tool.ToolSource;
import dev.agentrt.spring.AgentrtProperties.MemoryStore;
import dev.agentrt.spring.AgentrtProperties.RunsStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Auto-configuration of agentrt from {@code agentrt.*} ({@link AgentrtProperties}). Every bean backs off when the
 * application defines its own:
 * <ul>
 *   <li>{@link ChatModel}, when {@code agentrt.model} is set ({@link ChatModels#byName(String,
 *       java.util.function.Function)}, settings from Spring's {@link Environment}); a bad name or a missing key fails
 *       the start, naming {@code agentrt.model} and the variable;</li>
 *   <li>a {@code VectorMemory} ({@link Memory}), when {@code agentrt.memory.path} or {@code agentrt.memory.store} is
 *       set (agent-memory);</li>
 *   <li>a {@link RunStore}, when {@code agentrt.runs.path} or {@code agentrt.runs.store} is set (agent-runs), closed
 *       with the context;</li>
 *   <li>a prototype {@link Agent.Builder}: the model, memory and run store beans (each when there is one, or a
 *       {@code @Primary} one among several), the {@code agentrt.*} settings,
 *       the {@code agentrt.grants}, every {@link ToolSource} and {@link AgentEvent.Listener} bean, then every
 *       {@link AgentBuilderCustomizer} in order;</li>
 *   <li>an {@link Agent} built from it, when there is a {@link ChatModel} bean (one, or a primary one);</li>
 *   <li>with {@code agentrt.tools.scan=true}, the tools of every bean with {@code @ToolMethod} methods (agent-tools),
 *       as a {@link ToolSource} bean;</li>
 *   <li>with an {@code OpenTelemetry} bean and agent-otel, an {@code AgentTelemetry} bean whose listener every
 *       builder gets; without OpenTelemetry but with a Micrometer {@code MeterRegistry} (Actuator's), agent
 *       metrics in it under the GenAI conventions' names ({@code agentrt.telemetry.enabled=false} turns either
 *       off).</li>
 * </ul>
 * A property that asks for a module that is missing (memory without agent-memory, say) fails the start rather than
 * being ignored.
 */
@AutoConfiguration(afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@EnableConfigurationProperties(AgentrtProperties.class)
public class AgentrtAutoConfiguration {
    static final String MEMORY_CLASS = "dev.agentrt.memory.VectorMemory";
    static final String RUNS_CLASS = "dev.agentrt.runs.PostgresRunStore";
    static final String TOOLS_CLASS = "dev.agentrt.tools.Tools";

    AgentrtAutoConfiguration() {}

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "agentrt", name = "model")
    ChatModel agentrtChatModel(AgentrtProperties properties, Environment environment) {
        String name = properties.getModel();
        if (name == null || name.isBlank()) {
            throw new InvalidConfigurationPropertyValueException("agentrt.model", name,
                    "names no model: write prefix:model, for example anthropic:claude-sonnet-4-5");
        }
        AgentrtProperties.ModelTimeouts timeouts = properties.getModelTimeouts();
        timeout("agentrt.model-timeouts.connect", timeouts.getConnect());
        timeout("agentrt.model-timeouts.response", timeouts.getResponse());
        timeout("agentrt.model-timeouts.inactivity", timeouts.getInactivity());
        try {
            return ChatModels.byName(name, environment::getProperty, builder -> {
                if (timeouts.getConnect() != null) {
                    builder.connectTimeout(timeouts.getConnect());
                }
                if (timeouts.getResponse() != null) {
                    builder.timeout(timeouts.getResponse());
                }
                if (timeouts.getInactivity() != null) {
                    builder.inactivityTimeout(timeouts.getInactivity());
                }
            });
        } catch (IllegalStateException e) {
            throw new InvalidConfigurationPropertyValueException("agentrt.model", name, e.getMessage()
                    + " (an environment variable, or a property of that name in the application's configuration)");
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationPropertyValueException("agentrt.model", name, e.getMessage());
        }
    }

    private static void timeout(String property, @Nullable Duration value) {
        if (value != null && (value.isNegative() || value.isZero())) {
            throw new InvalidConfigurationPropertyValueException(property, value, "must be a positive duration");
        }
    }

    @Bean
    AgentSettings agentrtSettings(AgentrtProperties properties) {
        return AgentSettings.of(properties);
    }

    @Bean
    @Scope(BeanDefinition.SCOPE_PROTOTYPE)
    @ConditionalOnMissingBean
    Agent.Builder agentrtAgentBuilder(AgentSettings settings, ObjectProvider<ChatModel> model,
            ObjectProvider<Memory> memory, ObjectProvider<RunStore> runStore, ObjectProvider<ToolSource> tools,
            ObjectProvider<AgentEvent.Listener> listeners, ObjectProvider<AgentBuilderCustomizer> customizers) {
        Agent.Builder builder = Agent.builder();
        model.ifUnique(builder::model);
        memory.ifUnique(builder::memory);
        runStore.ifUnique(builder::runStore);
        settings.applyTo(builder);
        tools.orderedStream().forEach(builder::tools);
        listeners.orderedStream().forEach(builder::listener);
        customizers.orderedStream().forEach(c -> c.customize(builder));
        return builder;
    }

    /** Only with one {@link ChatModel} bean, or a {@code @Primary} one among several, as the builder takes. */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(ChatModel.class)
    Agent agentrtAgent(ObjectProvider<Agent.Builder> builder) {
        return builder.getObject().build();
    }

    // ------------------------------------------------------------------------------------------------ memory

    /** {@code agentrt.memory.path} or {@code agentrt.memory.store} is set. */
    static final class OnMemory extends AnyNestedCondition {
        OnMemory() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "agentrt.memory", name = "path")
        static final class OnPath {}

        @ConditionalOnProperty(prefix = "agentrt.memory", name = "store")
        static final class OnStore {}
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = MEMORY_CLASS)
    @Conditional(OnMemory.class)
    static class MemoryConfiguration {
        @Bean
        @ConditionalOnMissingBean(Memory.class)
        Memory agentrtMemory(AgentrtProperties properties, ObjectProvider<EmbeddingModel> embeddingModel,
                ObjectProvider<DataSource> dataSource, ConfigurableListableBeanFactory beans) {
            AgentrtProperties.Memory m = properties.getMemory();
            MemoryStore store = m.getStore() != null ? m.getStore() : MemoryStore.LUCENE;
            Path path = m.getPath();
            EmbeddingModel model = embeddingModel.getIfUnique();
            if (store == MemoryStore.DATASOURCE) {
                if (path != null) {
                    throw new InvalidConfigurationPropertyValueException("agentrt.memory.path", path,
                            "agentrt.memory.store=datasource keeps the memory in the application's DataSource: "
                                    + "remove one of the two");
                }
                DataSource source = Requirements.dataSource(dataSource, beans, "agentrt.memory.store",
                        "agentrtMemory");
                return MemoryStores.postgres(source, requireModel(model, "agentrt.memory.store", "datasource"),
                        m.getTable());
            }
            if (path == null) {
                throw new InvalidConfigurationPropertyValueException("agentrt.memory.store", "lucene",
                        "needs agentrt.memory.path, the directory of the index");
            }
            if (m.getTable() != null) {
                throw new InvalidConfigurationPropertyValueException("agentrt.memory.table", m.getTable(),
                        "is for agentrt.memory.store=datasource; this memory is the directory agentrt.memory.path");
            }
            return MemoryStores.lucene(path, requireModel(model, "agentrt.memory.path", path));
        }

        private static EmbeddingModel requireModel(@Nullable EmbeddingModel model, String property, Object value) {
            if (model == null) {
                throw new InvalidConfigurationPropertyValueException(property, value, "memory needs an embedding "
                        + "model: add dev.agentrt:agent-inference (the bundled all-MiniLM-L6-v2) or define an "
                        + "EmbeddingModel bean");
            }
            return model;
        }

        /** The bundled model, when the application has no embedding model of its own. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = "dev.agentrt.inference.LocalEmbeddingModel")
        static class BundledEmbeddingModelConfiguration {
            @Bean
            @ConditionalOnMissingBean(EmbeddingModel.class)
            EmbeddingModel agentrtEmbeddingModel() {
                return BundledEmbeddingModel.load();
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(MEMORY_CLASS)
    @Conditional(OnMemory.class)
    static class MissingMemoryModuleConfiguration {
        @Bean
        @ConditionalOnMissingBean(Memory.class)
        Memory agentrtMemory() {
            throw Requirements.missingModule("agentrt.memory.path or agentrt.memory.store", "dev.agentrt:agent-memory");
        }
    }

    // ------------------------------------------------------------------------------------------------ runs

    /** {@code agentrt.runs.path} or {@code agentrt.runs.store} is set. */
    static final class OnRuns extends AnyNestedCondition {
        OnRuns() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnProperty(prefix = "agentrt.runs", name = "path")
        static final class OnPath {}

        @ConditionalOnProperty(prefix = "agentrt.runs", name = "store")
        static final class OnStore {}
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = RUNS_CLASS)
    @Conditional(OnRuns.class)
    static class RunStoreConfiguration {
        /** Closed with the context (its {@code close()} is the inferred destroy method). */
        @Bean
        @ConditionalOnMissingBean
        RunStore agentrtRunStore(AgentrtProperties properties, ObjectProvider<DataSource> dataSource,
                ConfigurableListableBeanFactory beans) {
            AgentrtProperties.Runs r = properties.getRuns();
            RunsStore store = r.getStore() != null ? r.getStore() : RunsStore.SQLITE;
            Path path = r.getPath();
            if (store == RunsStore.DATASOURCE) {
                if (path != null) {
                    throw new InvalidConfigurationPropertyValueException("agentrt.runs.path", path,
                            "agentrt.runs.store=datasource journals runs in the application's DataSource: "
                                    + "remove one of the two");
                }
                return RunStores
                        .postgres(Requirements.dataSource(dataSource, beans, "agentrt.runs.store", "agentrtRunStore"));
            }
            if (path == null) {
                throw new InvalidConfigurationPropertyValueException("agentrt.runs.store", "sqlite",
                        "needs agentrt.runs.path, the SQLite file");
            }
            return RunStores.sqlite(path);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(RUNS_CLASS)
    @Conditional(OnRuns.class)
    static class MissingRunsModuleConfiguration {
        @Bean
        @ConditionalOnMissingBean
        RunStore agentrtRunStore() {
            throw Requirements.missingModule("agentrt.runs.path or agentrt.runs.store", "dev.agentrt:agent-runs");
        }
    }

    // ------------------------------------------------------------------------------------------------ tools

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = TOOLS_CLASS)
    @ConditionalOnBooleanProperty("agentrt.tools.scan")
    static class ToolScanConfiguration {
        @Bean
        ToolSource agentrtToolMethods(ConfigurableListableBeanFactory beans) {
            return ToolMethodBeans.scan(beans, "agentrtToolMethods");
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(TOOLS_CLASS)
    @ConditionalOnBooleanProperty("agentrt.tools.scan")
    static class MissingToolsModuleConfiguration {
        @Bean
        ToolSource agentrtToolMethods() {
            throw Requirements.missingModule("agentrt.tools.scan=true", "dev.agentrt:agent-tools");
        }
    }

    // -------------------------------------------------------------------------------------------- telemetry

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"dev.agentrt.otel.AgentTelemetry", "io.opentelemetry.api.OpenTelemetry"})
    @ConditionalOnBean(type = "io.opentelemetry.api.OpenTelemetry")
    @ConditionalOnBooleanProperty(name = "agentrt.telemetry.enabled", matchIfMissing = true)
    static class TelemetryConfiguration {
        @Bean
        @ConditionalOnMissingBean
        dev.agentrt.otel.AgentTelemetry agentrtTelemetry(io.opentelemetry.api.OpenTelemetry openTelemetry,
                AgentrtProperties properties, AgentSettings settings) {
            return dev.agentrt.otel.AgentTelemetry.builder(openTelemetry)
                    .captureContent(properties.getTelemetry().isCaptureContent())
                    .agentName(settings.agentName())
                    .build();
        }

        /**
         * The telemetry of the requests agentrt's MCP server answers (a {@code SERVER} span per {@code tools/call}
         * under the client's trace context), for the MCP server auto-configuration.
         */
        @Bean
        @ConditionalOnMissingBean
        dev.agentrt.core.tool.ServerTelemetry agentrtServerTelemetry(dev.agentrt.otel.AgentTelemetry telemetry) {
            return telemetry.serverTelemetry();
        }

        /**
         * Adds the telemetry's listener for the {@link ChatModel} bean's model, before the application's
         * customizers; a customizer that sets another model adds {@code AgentTelemetry.listener} itself.
         */
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        AgentBuilderCustomizer agentrtTelemetryCustomizer(dev.agentrt.otel.AgentTelemetry telemetry,
                ObjectProvider<ChatModel> model, AgentSettings settings) {
            if (model.getIfUnique() == null) {
                LoggerFactory.getLogger(AgentrtAutoConfiguration.class)
                        .info("agentrt telemetry: the context has no "
                                + "single ChatModel bean, so builders get no telemetry listener; add "
                                + "AgentTelemetry.listener(agent, name) to the agents built in code");
            }
            return builder -> model.ifUnique(m -> builder.listener(
                    telemetry.listener(Agent.builder().model(m).build(), settings.agentName())));
        }
    }

    /** Micrometer metrics, for an application with a MeterRegistry and no OpenTelemetry bean. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
    @ConditionalOnMissingBean(type = "io.opentelemetry.api.OpenTelemetry")
    @ConditionalOnBooleanProperty(name = "agentrt.telemetry.enabled", matchIfMissing = true)
    static class MicrometerConfiguration {
        /** Adds the metrics listener to every builder, before the application's customizers. */
        @Bean
        @Order(Ordered.HIGHEST_PRECEDENCE)
        AgentBuilderCustomizer agentrtMicrometerMetrics(io.micrometer.core.instrument.MeterRegistry registry,
                ObjectProvider<ChatModel> model, AgentSettings settings) {
            ChatModel m = model.getIfUnique();
            String requestModel = m instanceof dev.agentrt.core.model.HostedChatModel hosted
                    ? hosted.modelName()
                    : null;
            var metrics = new MicrometerAgentMetrics(registry, settings.agentName(), requestModel,
                    System::nanoTime);
            return builder -> builder.listener(metrics);
        }
    }
}
