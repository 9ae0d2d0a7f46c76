package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The peers the MCP tests talk to and the ways they talk: our Node servers and clients in {@code src/test/npm}, a
 * tool of {@link McpTools} called as an agent calls it, and a scripted MCP server over {@link RawHttpServer}.
 */
final class McpTestPeers {
    private McpTestPeers() {}

    /** A server of ours in {@code src/test/npm} (e.g. {@code task-server.mjs}) over stdio, given {@code args}. */
    static McpTransportSpec.Stdio npmScript(String script, String... args) {
        var command = new ArrayList<>(List.of(TestServers.npmScript(script)));
        command.addAll(List.of(args));
        return McpTransportSpec.stdio(TestServers.node(), command.toArray(String[]::new));
    }

    /** A call of {@code tool} with {@code args} (JSON) through a registry, under the grant of the tools' capability. */
    static Mono<ToolResult> execute(McpTools tools, String tool, String args) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c1", tool, args),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())));
    }

    /** {@link #execute}, waited for at most {@code wait} (a hang guard): its result. */
    static ToolResult call(McpTools tools, String tool, String args, Duration wait) {
        ToolResult r = execute(tools, tool, args).block(wait);
        assertThat(r).as("the result of %s", tool).isNotNull();
        return r;
    }

    /**
     * The next change in {@code seen} of type {@code type}, the changes of other types before it put in {@code
     * skipped}; each waited for at most {@code wait} (a hang guard).
     */
    static <T extends McpChange> T nextChange(BlockingQueue<McpChange> seen, Class<T> type, List<McpChange> skipped,
            Duration wait) throws InterruptedException {
        while (true) {
            McpChange c = seen.poll(wait.toSeconds(), TimeUnit.SECONDS);
            assertThat(c).as("a " + type.getSimpleName() + " (before: " + skipped + ")").isNotNull();
            if (type.isInstance(c)) {
                return type.cast(c);
            }
            skipped.add(c);
        }
    }

    /**
     * Runs a client of ours in {@code src/test/npm} (e.g. {@code sdk-http-client.mjs}) with {@code args} to its end,
     * with no input; it must exit 0 (its error output, kept in {@code dir}, says why not). Returns the JSON object it
     * printed: what it saw.
     */
    static JsonObject runNodeClient(Path dir, String script, List<String> args) throws Exception {
        Path stderr = dir.resolve("stderr.txt");
        var command = new ArrayList<>(List.of(TestServers.node(), TestServers.npmScript(script)));
        command.addAll(args);
        Process client = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        client.getOutputStream().close();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = client.waitFor();
        assertThat(exit).as(() -> "the client " + script + " failed: " + readQuietly(stderr)).isZero();
        return JsonValue.parse(out.trim()).asObject();
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * An MCP server of protocol 2025-06-18 over {@link RawHttpServer}: {@code initialize} answered with {@code
     * capabilities} (JSON) in a new session each time ({@code session-1}, {@code session-2}, ...), {@code tools/list}
     * with the one tool {@code work}, the {@code methods} given answered by their handlers, any other message
     * accepted (202), {@code GET} answered by {@code get} and {@code DELETE} with 200.
     */
    static RawHttpServer scripted(String capabilities, Map<String, RawHttpServer.Handler> methods,
            RawHttpServer.Handler get) throws IOException {
        var sessions = new AtomicInteger();
        return new RawHttpServer((request, response) -> {
            switch (request.method()) {
                case "GET" -> get.handle(request, response);
                case "DELETE" -> response.send(200, null, "");
                default -> {
                    String method = JsonValue.parse(request.body()).asObject().getString("method").orElse("");
                    RawHttpServer.Handler handler = methods.get(method);
                    if (handler != null) {
                        handler.handle(request, response);
                        return;
                    }
                    switch (method) {
                        case "initialize" -> response.json(200, """
                                {"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-06-18",\
                                "capabilities":%s,"serverInfo":{"name":"scripted","version":"1"}}}"""
                                .formatted(idOf(request), capabilities),
                                "Mcp-Session-Id", "session-" + sessions.incrementAndGet());
                        case "tools/list" -> response.json(200, """
                                {"jsonrpc":"2.0","id":%s,"result":{"tools":[{"name":"work",\
                                "inputSchema":{"type":"object"}}]}}""".formatted(idOf(request)));
                        default -> response.send(202, null, "");
                    }
                }
            }
        });
    }

    /**
     * Asserts what {@link ExposedToolsMain}'s tools answer when called through {@code tools} under the tools'
     * capability: {@code lookup} (it needs {@code crm:read}, which the server grants) answers, {@code refund} (it
     * needs {@code payments:refund}, which the server does not grant) fails naming that capability.
     */
    static void assertExposedToolsAnswerUnderTheServersGrants(McpTools tools) {
        assertThat(call(tools, "lookup", "{}", Duration.ofSeconds(30)).content()).isEqualTo("customer 42");
        ToolResult refund = call(tools, "refund", "{}", Duration.ofSeconds(30));
        assertThat(refund.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(refund.content()).contains("payments:refund");
    }

    /** The text of the first content block of a {@code tools/call} result. */
    static String text(JsonObject callResult) {
        return callResult.getArray("content").orElseThrow().get(0).asObject().getString("text").orElseThrow();
    }

    /** The JSON-RPC id of a request, as JSON. */
    static String idOf(RawHttpServer.Request request) {
        return JsonValue.parse(request.body()).asObject().get("id").toJson();
    }

    /** A tools/call answer with one text. */
    static String answer(String id, String text) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"" + text
                + "\"}]}}";
    }

    /** {@code echo}: answers "echo: " and its {@code text} argument (required). */
    static Tool echoTool() {
        return Tool.builder("echo")
                .description("Repeats the text")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""").asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.text("echo: " + args.getString("text").orElseThrow())))
                .build();
    }

    /** {@code fail}: always answers with an error result, "it broke". */
    static Tool failTool() {
        return Tool.builder("fail")
                .description("Always fails")
                .handler((args, ctx) -> Mono.just(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "it broke")))
                .build();
    }
}
