package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * What {@link McpServer.Builder#telemetry} records of each {@code tools/call} over stdio, with a recording
 * {@link ServerTelemetry} (agent-otel's is tested against OpenTelemetry in its own module): the trace context of
 * the request's {@code params._meta}, the JSON-RPC id as the client wrote it, the transport and negotiated
 * protocol version; the record is current while the tool starts and gets what the tool reports; it ends once,
 * with {@code tool_error} for an error result and {@code cancelled} for a call the client cancelled. And the client
 * side: an MCP client tool's call of the reference server-everything over stdio reports its hop to the call's trace.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerTelemetryTest {
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    /** What the tools saw as current (set by the record's enter). */
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private final List<String> recorded = new CopyOnWriteArrayList<>();
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private StdioPeer peer;
    private OutputStream serverOut;
    private CompletableFuture<Void> serving;

    /** Records as "start ...", "tool ... sees ...", "attribute ...", "end ...". */
    private final ServerTelemetry telemetry = (operation, target, carrier, attributes) -> {
        recorded.add("start " + operation + " " + target + " " + new TreeMap<>(carrier) + " " + new TreeMap<>(
                attributes));
        return new ServerTelemetry.Call() {
            @Override
            public AgentEvent.Listener.@Nullable Scope enter() {
                String before = CURRENT.get();
                CURRENT.set("the record of " + target);
                return () -> CURRENT.set(before);
            }

            @Override
            public void attribute(String key, String value) {
                recorded.add("attribute " + key + "=" + value);
            }

            @Override
            public void inject(BiConsumer<String, String> carrier) {
                carrier.accept("traceparent", "the record's own");
            }

            @Override
            public void end(@Nullable String errorType, @Nullable String description) {
                recorded.add("end " + errorType + " " + description);
                ended.countDown();
            }
        };
    };

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path files;

    @BeforeEach
    void serve() throws Exception {
        Pipe input = Pipe.open();
        Pipe output = Pipe.open();
        Tool forward = Tool.builder("forward").description("Forwards the call").blockingHandler((args, ctx) -> {
            recorded.add("tool sees " + CURRENT.get());
            ctx.trace().attribute("peer.service", "inventory");
            var passed = new TreeMap<String, String>();
            ctx.trace().inject(passed::put);
            return ToolResult.text("passed on " + passed);
        }).build();
        Tool broken = Tool.builder("broken")
                .description("Fails")
                .blockingHandler((args, ctx) -> ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "the disk is full"))
                .build();
        Tool gate = Tool.builder("gate").description("Waits for the test").blockingHandler((args, ctx) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ToolResult.text("released");
        }).build();
        serverOut = Channels.newOutputStream(output.sink());
        serving = McpServer.builder(List.of(forward, broken, gate))
                .prompt("greet", "Greets", List.of(), args -> List.of(dev.agentrt.core.model.Message.user("hello")))
                .resources(files)
                .telemetry(telemetry)
                .build()
                .serve(Channels.newInputStream(input.source()), serverOut)
                .toFuture();
        peer = StdioPeer.streams(Channels.newOutputStream(input.sink()), Channels.newInputStream(output.source()));
        peer.initialize("2025-06-18");
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        peer.closeInput();
        serving.get(60, TimeUnit.SECONDS);
        serverOut.close();
        peer.close();
    }

    @Test
    void aCallIsRecordedUnderItsMetasTraceContextAndTheToolStartsInTheRecord() throws Exception {
        peer.send("{\"jsonrpc\":\"2.0\",\"id\":\"req-1\",\"method\":\"tools/call\",\"params\":{\"name\":\"forward\","
                + "\"_meta\":{\"traceparent\":\"" + TRACEPARENT + "\",\"progressToken\":5,\"nested\":{\"a\":1}}}}");

        JsonObject answer = peer.nextObject();
        assertThat(answer.getString("id")).contains("req-1");
        assertThat(answer.toJson()).contains("passed on {traceparent=the record's own}");
        assertThat(ended.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(recorded).containsExactly(
                "start tools/call forward {traceparent=" + TRACEPARENT + "} {jsonrpc.request.id=req-1,"
                        + " mcp.protocol.version=2025-06-18, network.transport=pipe}",
                "tool sees the record of forward",
                "attribute peer.service=inventory",
                "end null null");
    }

    @Test
    void anErrorResultEndsTheRecordAsAToolErrorAndANumericIdIsWrittenAsItsDigits() throws Exception {
        peer.send("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/call\",\"params\":{\"name\":\"broken\"}}");

        JsonObject answer = peer.nextObject();
        assertThat(answer.toJson()).contains("\"isError\":true");
        assertThat(ended.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(recorded).containsExactly("start tools/call broken {} {jsonrpc.request.id=42,"
                + " mcp.protocol.version=2025-06-18, network.transport=pipe}", "end tool_error the disk is full");
    }

    @Test
    void aCallTheClientCancelsEndsItsRecordAsCancelled() throws Exception {
        peer.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"gate\"}}");
        assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
        peer.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":7}}");

        assertThat(ended.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(recorded).last().isEqualTo("end cancelled the client cancelled the request");
        peer.send("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\"}");
        assertThat(peer.nextObject().getLong("id")).contains(8L);
        assertThat(recorded).filteredOn(line -> line.startsWith("end ")).hasSize(1);
    }

    @Test
    void anMcpClientToolReportsItsHopOverStdioAndSendsTheTraceContextAlong() {
        var attributes = new TreeMap<String, String>();
        var served = new ServerTelemetry.Call() {
            @Override
            public AgentEvent.Listener.@Nullable Scope enter() {
                return null;
            }

            @Override
            public void attribute(String key, String value) {
                attributes.put(key, value);
            }

            @Override
            public void attribute(String key, long value) {
                attributes.put(key, Long.toString(value));
            }

            @Override
            public void inject(BiConsumer<String, String> carrier) {
                carrier.accept("traceparent", TRACEPARENT);
                carrier.accept("progressToken", "a propagator must not replace the call's own token");
            }

            @Override
            public void end(@Nullable String errorType, @Nullable String description) {}
        };
        try (McpTools everything = McpTools.connect("everything", TestServers.everything())
                .block(Duration.ofSeconds(60))) {
            var registry = dev.agentrt.core.tool.ToolRegistry.of(everything.tools());
            var policy = dev.agentrt.core.tool.ToolExecution.builder("t", dev.agentrt.core.security.Principal.ANONYMOUS,
                    dev.agentrt.core.security.Grants.of(everything.capability())).servedCall(served).build();

            ToolResult result = registry.execute(new dev.agentrt.core.model.ToolCall("c", "echo",
                    "{\"message\":\"hi\"}"), policy).block(Duration.ofSeconds(60));

            assertThat(result).isNotNull();
            assertThat(result.isError()).as(result.content()).isFalse();
        }
        assertThat(attributes).containsEntry("mcp.method.name", "tools/call")
                .containsEntry("network.transport", "pipe")
                .containsKeys("mcp.protocol.version", "jsonrpc.request.id")
                .doesNotContainKeys("server.address", "mcp.session.id", "error.type");
    }

    @Test
    void promptsAndResourceReadsAreRecordedAsTheirOwnMethodsAndARefusalEndsWithItsCode() throws Exception {
        peer.send("{\"jsonrpc\":\"2.0\",\"id\":\"p\",\"method\":\"prompts/get\",\"params\":{\"name\":\"greet\","
                + "\"_meta\":{\"traceparent\":\"" + TRACEPARENT + "\"}}}");
        assertThat(peer.nextObject().toJson()).contains("hello");
        // Not granted (the server has no grants): refused with -32002.
        String uri = files.resolve("notes.txt").toUri().toString();
        java.nio.file.Files.writeString(files.resolve("notes.txt"), "secret");
        peer.send("{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"method\":\"resources/read\",\"params\":{\"uri\":\"" + uri
                + "\"}}");
        assertThat(peer.nextObject().toJson()).contains("-32002");

        assertThat(recorded).containsExactly(
                "start prompts/get greet {traceparent=" + TRACEPARENT + "} {jsonrpc.request.id=p,"
                        + " mcp.protocol.version=2025-06-18, network.transport=pipe}",
                "end null null",
                "start resources/read null {} {jsonrpc.request.id=r, mcp.protocol.version=2025-06-18,"
                        + " mcp.resource.uri=" + uri + ", network.transport=pipe}",
                "attribute rpc.response.status_code=-32002",
                recorded.getLast());
        assertThat(recorded.getLast()).startsWith("end -32002 ");
    }
}
