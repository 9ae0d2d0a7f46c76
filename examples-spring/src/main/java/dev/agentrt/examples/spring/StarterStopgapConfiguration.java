package dev.agentrt.examples.spring;

import dev.agentrt.core.Agent;
import dev.agentrt.core.memory.Memory;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ChatModels;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.memory.VectorMemory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

import java.nio.file.Path;

/**
 * The beans agentrt-spring-boot-autoconfigure will define from {@code agentrt.*} properties, defined here until it
 * does: the model {@code agentrt.model} names, the vector memory at {@code agentrt.memory.path}, the SQLite run store
 * at {@code agentrt.runs.path}, and a prototype {@code Agent.Builder} preconfigured with them. Delete this class
 * once the starter defines them; nothing else in the application names it.
 */
@Configuration(proxyBeanMethods = false)
class StarterStopgapConfiguration {
    /** The model {@code agentrt.model} names; its key from Spring's configuration or the environment. */
    @Bean
    @Conditional(ModelNamed.class)
    ChatModel namedModel(Environment environment) {
        return ChatModels.byName(environment.getRequiredProperty("agentrt.model"), environment::getProperty);
    }

    @Bean
    @ConditionalOnProperty("agentrt.memory.path")
    VectorMemory memory(Environment environment) {
        return VectorMemory.open(Path.of(environment.getRequiredProperty("agentrt.memory.path")));
    }

    @Bean
    @ConditionalOnProperty("agentrt.runs.path")
    RunStore runStore(Environment environment) {
        return RunStore.open(Path.of(environment.getRequiredProperty("agentrt.runs.path")));
    }

    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    Agent.Builder agentBuilder(ChatModel model, ObjectProvider<Memory> memory, ObjectProvider<RunStore> runStore) {
        Agent.Builder builder = Agent.builder().model(model);
        memory.ifAvailable(builder::memory);
        runStore.ifAvailable(builder::runStore);
        return builder;
    }

    /** True when {@code agentrt.model} names a model. */
    static final class ModelNamed implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !new OfflineModel.NoModelNamed().matches(context, metadata);
        }
    }
}
