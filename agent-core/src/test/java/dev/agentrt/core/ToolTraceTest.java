package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.core.tool.ToolTrace;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A tool that carries its call to another process reports the hop through {@code ToolContext.trace()}: the task's
 * listeners' traces get its attributes and write the context it passes on; a server's served-call record is
 * current while the tool starts and gets the same. A failing listener is contained.
 */
class ToolTraceTest {
    private static final String ANY_OBJECT = "{\"type\":\"object\"}";

    /** A tool that reports what an MCP client tool would, and answers with what the traces wrote to pass on. */
    private static Tool forwarding(boolean blocking) {
        var builder = Tool.builder("forward")
                .description("Forwards the call")
                .parameters(
                        JsonValue.parse(ANY_OBJECT).asObject());
        if (blocking) {
            return builder.blockingHandler((args, ctx) -> ToolResult.text(forward(ctx.trace()))).build();
        }
        return builder.handler((args, ctx) -> reactor.core.publisher.Mono.fromSupplier(() -> ToolResult.text(
                forward(ctx.trace())))).build();
    }

    private static String forward(ToolTrace trace) {
        trace.attribute("mcp.method.name", "tools/call");
        trace.attribute("server.port", 8080L);
        var meta = new TreeMap<String, String>();
        trace.inject(meta::put);
        return meta.toString();
    }

    /** A listener's trace that records what it is told, as "call-id key=value". */
    private static final class Recording implements AgentEvent.Listener {
        final List<String> seen = new CopyOnWriteArrayList<>();
        final String field;

        Recording(String field) {
            this.field = field;
        }

        @Override
        public void onEvent(AgentEvent event) {}

        @Override
        public ToolTrace traceTool(String taskId, ToolCall call) {
            return new ToolTrace() {
                @Override
                public void attribute(String key, String value) {
                    seen.add(call.id() + " " + key + "=" + value);
                }

                @Override
                public void attribute(String key, long value) {
                    seen.add(call.id() + " " + key + "=" + value);
                }

                @Override
                public void inject(BiConsumer<String, String> carrier) {
                    carrier.accept(field, "from " + call.id());
                }
            };
        }
    }

    @Test
    void theListenersTracesGetTheToolsAttributesAndWriteWhatItPassesOnWhileABrokenOneIsContained() {
        var first = new Recording("traceparent");
        var second = new Recording("baggage");
        AgentEvent.Listener broken = new AgentEvent.Listener() {
            @Override
            public void onEvent(AgentEvent event) {}

            @Override
            public ToolTrace traceTool(String taskId, ToolCall call) {
                throw new IllegalStateException("a broken tracing integration");
            }
        };
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("forward", "{}"), Reply.text("done")))
                .tools(forwarding(true))
                .listener(first)
                .listener(broken)
                .listener(second)
                .build();

        AgentResult result = agent.task("go").executeBlocking();

        assertThat(result.text()).isEqualTo("done");
        String callId = toolResults(result).get(0).callId();
        assertThat(toolResults(result).get(0).content())
                .isEqualTo("{baggage=from " + callId + ", traceparent=from " + callId + "}");
        assertThat(first.seen).containsExactly(callId + " mcp.method.name=tools/call", callId + " server.port=8080");
        assertThat(second.seen).isEqualTo(first.seen);
    }

    @Test
    void withoutTelemetryATraceRecordsAndPassesOnNothing() {
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCall("forward", "{}"), Reply.text("done")))
                .tools(forwarding(false))
                .build();

        AgentResult result = agent.task("go").executeBlocking();

        assertThat(toolResults(result).get(0).content()).isEqualTo("{}");
    }

    /** A server's record of one request: what was entered, what it was told, how it ended. */
    private static final class Served implements ServerTelemetry.Call {
        final ThreadLocal<String> current;
        final List<String> seen = new CopyOnWriteArrayList<>();

        Served(ThreadLocal<String> current) {
            this.current = current;
        }

        @Override
        public AgentEvent.Listener.@Nullable Scope enter() {
            String before = current.get();
            current.set("served");
            return () -> current.set(before);
        }

        @Override
        public void attribute(String key, String value) {
            seen.add(key + "=" + value);
        }

        @Override
        public void inject(BiConsumer<String, String> carrier) {
            carrier.accept("traceparent", "of the served call");
        }

        @Override
        public void end(@Nullable String errorType, @Nullable String description) {
            seen.add("ended " + errorType);
        }
    }

    @Test
    void aServedCallsRecordIsCurrentWhileTheToolStartsOnItsThreadAndGetsTheToolsTrace() {
        var current = new ThreadLocal<String>();
        var served = new Served(current);
        var sawCurrent = new CopyOnWriteArrayList<String>();
        Tool tool = Tool.builder("forward")
                .description("Forwards the call")
                .parameters(JsonValue.parse(ANY_OBJECT).asObject())
                .blockingHandler((args, ctx) -> {
                    sawCurrent.add(current.get() + (Thread.currentThread().isVirtual() ? " on a virtual thread" : ""));
                    return ToolResult.text(forward(ctx.trace()));
                })
                .build();
        var registry = ToolRegistry.of(List.of(tool));
        ToolExecution policy = ToolExecution.builder("served-1", Principal.of("client"), Grants.none())
                .servedCall(served)
                .timeout(Duration.ofSeconds(30))
                .build();

        ToolResult result = registry.execute(new ToolCall("1", "forward", "{}"), policy).block(Duration.ofSeconds(30));

        assertThat(result).isNotNull();
        assertThat(result.content()).isEqualTo("{traceparent=of the served call}");
        assertThat(sawCurrent).containsExactly("served on a virtual thread");
        assertThat(served.seen).containsExactly("mcp.method.name=tools/call");
        assertThat(current.get()).isNull();
        assertThat(ServerTelemetry.NONE.start("tools/call", "forward", Map.of(), Map.of()))
                .isSameAs(ServerTelemetry.Call.NONE);
    }

    private static List<Message.ToolResult> toolResults(AgentResult r) {
        return AgentTest.toolResults(r);
    }
}
