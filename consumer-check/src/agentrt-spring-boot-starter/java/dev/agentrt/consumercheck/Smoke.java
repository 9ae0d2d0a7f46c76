package dev.agentrt.consumercheck;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

import java.time.Duration;

/**
 * agentrt-spring-boot-starter in a Spring Boot application that has only the starter, on Boot's dependency
 * management: the application starts (no web server), its context has the starter's prototype {@code Agent.Builder},
 * preconfigured with the application's {@code ChatModel} bean (a scripted one) and its {@code Tool} bean, and an agent
 * built from it runs a task that calls the tool (Reactor, Jackson 3 at Boot's versions).
 */
@SpringBootApplication
public class Smoke {
    /** The application's model: calls the add tool, then answers from its result. */
    @Bean
    ChatModel scriptedModel() {
        return ScriptedChatModel.responding(request -> {
            Message last = request.messages().get(request.messages().size() - 1);
            return last instanceof Message.ToolResult result
                    ? Reply.text("It is " + result.content() + ".")
                    : Reply.toolCall("add", "{\"a\":2,\"b\":40}");
        });
    }

    /** The application's tool; the starter's builder takes every ToolSource bean. */
    @Bean
    Tool add() {
        return Tool.builder("add")
                .description("Adds two integers")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},
                         "required":["a","b"]}""").asObject())
                .handler((a, ctx) -> Mono.just(ToolResult.text(String.valueOf(
                        a.getLong("a").orElseThrow() + a.getLong("b").orElseThrow()))))
                .build();
    }

    public static void main(String[] args) {
        try (ConfigurableApplicationContext context = SpringApplication.run(Smoke.class, args)) {
            String[] builders = context.getBeanNamesForType(Agent.Builder.class);
            Checks.that(builders.length == 1, "the context should have one Agent.Builder bean (from"
                    + " agentrt-spring-boot-autoconfigure), it has " + builders.length);
            Checks.that(context.getBeanFactory().isPrototype(builders[0]), "the Agent.Builder bean '" + builders[0]
                    + "' should be a prototype: each injection point gets a builder of its own");
            Agent agent = context.getBean(Agent.Builder.class).maxSteps(3).build();
            AgentResult result = agent.task("What is 2 + 40?").execute().block(Duration.ofSeconds(60));
            Checks.that(result != null, "the task gave no result");
            Checks.equal("the final answer (the application's scripted model, after the add tool)", "It is 42.",
                    result.text());
        }
        System.out.println("agentrt-spring-boot-starter smoke test passed: a Spring Boot application's Agent.Builder"
                + " bean ran a tool call on the application's scripted model");
    }
}
