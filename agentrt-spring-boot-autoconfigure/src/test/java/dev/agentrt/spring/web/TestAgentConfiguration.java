package dev.agentrt.spring.web;

import dev.agentrt.core.Agent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The application's side in the tests: an {@code Agent} on a scripted model, with a SQLite run store in the file
 * {@code test.runs-db}. A prompt {@code "hold KEY"} makes the agent call the tool {@code hold}, which waits until
 * the test opens the gate KEY; a prompt {@code "pay ..."} makes it call {@code pay}, which needs a person's approval
 * (the run pauses for it); any other prompt makes it call {@code lookup}, which answers at once. After the tool, the
 * model answers {@code "answer: <the tool's result>"}.
 */
@Configuration(proxyBeanMethods = false)
class TestAgentConfiguration {
    @Bean(destroyMethod = "close")
    RunStore runStore(@Value("${test.runs-db}") String path) {
        return RunStore.open(Path.of(path));
    }

    @Bean
    Gates gates() {
        return new Gates();
    }

    @Bean
    Agent agent(RunStore store, Gates gates) {
        Tool lookup = Tool.builder("lookup")
                .description("Looks a thing up")
                .handler((args, ctx) -> Mono.just(ToolResult.text("found " + args.getString("q").orElse("?"))))
                .build();
        Tool hold = Tool.builder("hold")
                .description("Waits for the test")
                .handler((args, ctx) -> {
                    Gate gate = gates.gate(args.getString("key").orElseThrow());
                    return gate.release.asMono().doOnSubscribe(s -> gate.entered.tryEmitValue(true));
                })
                .build();
        Tool pay = Tool.builder("pay")
                .description("Pays an invoice")
                .requires(Capability.custom("ledger", "write"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("paid")))
                .build();
        return Agent.builder()
                .model(ScriptedChatModel.responding(TestAgentConfiguration::reply))
                .runStore(store)
                .tools(List.of(lookup, hold, pay))
                // Paying needs a grant the agent lacks: a person decides, and the run waits for them.
                .approvals(request -> Mono.just(Decision.defer("a clerk decides")))
                .build();
    }

    private static Reply reply(ChatRequest request) {
        List<Message> messages = request.messages();
        String prompt = "";
        Message.ToolResult lastResult = null;
        for (Message m : messages) {
            if (m instanceof Message.User u) {
                prompt = u.text();
                lastResult = null;
            } else if (m instanceof Message.ToolResult r) {
                lastResult = r;
            }
        }
        if (lastResult != null) {
            return Reply.text("answer: " + lastResult.content());
        }
        if (prompt.startsWith("pay ")) {
            return Reply.toolCall("pay", "{}");
        }
        if (prompt.startsWith("hold ")) {
            return Reply.toolCall("hold", JsonObject.builder().put("key", prompt.substring(5)).build().toJson());
        }
        return Reply.toolCall("lookup", JsonObject.builder().put("q", prompt).build().toJson());
    }

    /** The gates the tool {@code hold} waits at, by key. */
    static final class Gates {
        private final Map<String, Gate> gates = new ConcurrentHashMap<>();

        Gate gate(String key) {
            return gates.computeIfAbsent(key, k -> new Gate());
        }
    }

    /** Signals when the tool waits at it, and lets it go on with a result. */
    static final class Gate {
        final Sinks.One<Boolean> entered = Sinks.one();
        final Sinks.One<ToolResult> release = Sinks.one();

        void open(String result) {
            release.tryEmitValue(ToolResult.text(result));
        }
    }
}
