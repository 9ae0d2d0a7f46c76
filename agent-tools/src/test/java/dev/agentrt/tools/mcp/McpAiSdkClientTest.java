package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * agentrt's MCP server spoken to by a client that does not use the official SDKs: the Vercel AI SDK's ({@code
 * @ai-sdk/mcp} 2.0.99, its own JSON-RPC client and stdio and streamable HTTP transports), through {@code
 * ai-sdk-client.mjs} and {@code ai-sdk-abort-client.mjs} in {@code src/test/npm}. In both protocol eras the client
 * speaks: 2026-07-28 (its default: {@code server/discover} first) and 2025-11-25 ({@code initialize}, with
 * discovery off). What the AI SDK does differently from the specification, and what it lacks, is named where a test
 * meets it. Timeouts are hang guards only.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpAiSdkClientTest {
    private static final String MODERN = "2026-07-28";
    private static final String LEGACY = "2025-11-25";
    private static final Duration GUARD = Duration.ofSeconds(60);

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();
    /** What the server's telemetry saw of each call: its attributes. */
    private final Queue<Map<String, Object>> served = new ConcurrentLinkedQueue<>();

    @TempDir
    Path dir;

    private Path resources() throws IOException {
        Path root = Files.createDirectories(dir.resolve("files"));
        Files.writeString(root.resolve("a.txt"), "hello resource\n");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/b.md"), "# second\n");
        return root;
    }

    /**
     * Over stdio the AI SDK gives {@code server/discover} one second before it takes the server for a legacy one and
     * sends {@code initialize} on the same connection: a JVM that starts slower answers the probe late (the client
     * reports that answer as an error on the side) and is then served in 2025-11-25, which this server, serving
     * both eras on one connection, does. Which era a run lands in is the race of JVM start-up against that second,
     * so the tests pin it: {@code modern-wait} lets the client wait for the answer, {@code legacy} skips the probe.
     */
    @ParameterizedTest
    @CsvSource({"modern-wait, " + MODERN, "legacy, " + LEGACY})
    void theAiSdkClientUsesEveryFeatureOverStdio(String era, String version) throws Exception {
        var args = new ArrayList<>(List.of(era, "stdio", Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), AiSdkServerMain.class.getName(),
                resources().toString()));
        JsonObject seen = McpTestPeers.runNodeClient(dir, "ai-sdk-client.mjs", args);
        assertSawEverything(seen, version, true, List.of("grow"));
        assertThat(text(seen, "grow")).isEqualTo("grew");
        assertThat(seen.getArray("toolsAfterGrowing").orElseThrow().items()).contains(JsonValue.of("grown"));
        // The AI SDK deviates here: it takes no notification, and reports each as an error on the side. In
        // 2025-11-25 the server tells every session its tools changed (notifications/tools/list_changed, written
        // before grow's answer); in 2026-07-28 only subscriptions/listen streams, which the AI SDK never opens.
        assertThat(seen.getArray("uncaught").orElseThrow().items()).containsExactlyElementsOf(version.equals(LEGACY)
                ? List.of(JsonValue.of("Unsupported message type"))
                : List.of());
    }

    @ParameterizedTest
    @CsvSource({"modern, false, " + MODERN, "modern, true, " + MODERN, "legacy, false, " + LEGACY,
            "legacy, true, " + LEGACY})
    void theAiSdkClientUsesEveryFeatureOverHttp(String era, boolean stateless, String version) throws Exception {
        McpHttpServer server = http.serve(AiSdkServerMain.builder(resources(), List.of())
                .telemetry(recordCalls())
                .build(), McpHttpOptions.defaults().stateless(stateless));
        JsonObject seen = McpTestPeers.runNodeClient(dir, "ai-sdk-client.mjs",
                List.of(era, "http", server.url().toString()));
        assertSawEverything(seen, version, !stateless || version.equals(MODERN), List.of(),
                !stateless || version.equals(MODERN));
        assertThat(served).isNotEmpty().allSatisfy(attributes -> {
            assertThat(attributes).containsEntry("mcp.protocol.version", version);
            assertThat(attributes.containsKey("mcp.session.id")).isEqualTo(!stateless && version.equals(LEGACY));
        });
        boolean sessions = !stateless && version.equals(LEGACY);
        List<JsonValue> session = seen.getArray("sessions").orElseThrow().items();
        assertThat(session).hasSize(sessions ? 1 : 0);
        if (version.equals(MODERN)) {
            // The AI SDK deviates here: a client given the initialize result of a 2026-07-28 connection
            // (initialInitializeResult) takes it for a 2025 one and sends its requests without the _meta envelope
            // (yet with the 2026-07-28 header), which the server refuses.
            for (String call : List.of("resumed", "afterEnd")) {
                JsonObject error = seen.getObject(call).orElseThrow().getObject("error").orElseThrow();
                assertThat(error.getLong("code")).as("%s", error).contains(-32602L);
                assertThat(error.getString("message").orElseThrow()).contains("missing: io.modelcontextprotocol");
            }
        } else {
            // A second client takes the session over without initialize (its GET stream replaces the first
            // client's, which the server may not have noticed gone yet); after its DELETE, the session is gone.
            assertThat(text(seen.getObject("resumed").orElseThrow(), "answer")).isEqualTo("echo: resumed");
            if (sessions) {
                // Whether the client's GET (404, after which it drops the session id: 400) or its POST (404) is
                // answered first is theirs to race; either way the call fails and the client is told.
                JsonObject error = seen.getObject("afterEnd").orElseThrow().getObject("error").orElseThrow();
                assertThat(error.getLong("statusCode")).as("%s", error)
                        .hasValueSatisfying(
                                status -> assertThat(status).isIn(400L, 404L));
                assertThat(seen.getArray("expired").orElseThrow().items()).isNotEmpty()
                        .allSatisfy(
                                id -> assertThat(id).isEqualTo(session.getFirst()));
            } else {
                assertThat(text(seen.getObject("afterEnd").orElseThrow(), "answer")).isEqualTo("echo: too late");
            }
        }
        // The AI SDK deviates here too: in 2025-11-25 it opens its GET stream before it has initialized (no
        // Mcp-Session-Id), which a stateful server refuses with 400 as the revision says it should; the client
        // reports that on the side and opens the stream again once initialized. The other reports are the third
        // client's, which finds the session ended (404, then 400 without its id). No GET is refused as a second one.
        List<JsonValue> uncaught = seen.getArray("uncaught").orElseThrow().items();
        if (sessions) {
            assertThat(uncaught).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.toString())
                            .containsAnyOf("GET SSE failed: 400", "GET SSE failed: 404", "(HTTP 404)", "(HTTP 400)"));
        } else {
            assertThat(uncaught).isEmpty();
        }
    }

    /**
     * Over streamable HTTP in 2026-07-28 closing a call's event stream cancels it, and that is all the AI SDK does
     * when a call is aborted: the server stops the tool. (In 2025-11-25 the AI SDK sends no {@code
     * notifications/cancelled}, over either transport, so an abandoned call runs to its end or its timeout there;
     * in 2026-07-28 over stdio likewise.)
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anAbortedCallIsCancelledOnTheServer(boolean stateless) throws Exception {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        Tool wait = Tool.builder("wait")
                .description("Waits until it is cancelled")
                .handler((args, ctx) -> Mono.<ToolResult>never()
                        .doOnSubscribe(s -> started.countDown())
                        .doOnCancel(cancelled::countDown))
                .build();
        // The server's own timeout is far beyond the hang guard: only the client's abort can end the call in time.
        McpHttpServer server = http.serve(AiSdkServerMain.builder(resources(), List.of(wait))
                .timeout(Duration.ofMinutes(10))
                .build(), McpHttpOptions.defaults().stateless(stateless).keepAlive(Duration.ofMillis(200)));
        Path stderr = dir.resolve("abort-stderr.txt");
        Process client = new ProcessBuilder(TestServers.node(), TestServers.npmScript("ai-sdk-abort-client.mjs"),
                server.url().toString()).redirectError(stderr.toFile()).start();
        try {
            assertThat(started.await(GUARD.toSeconds(), TimeUnit.SECONDS))
                    .as(() -> "the call of wait reached the tool: " + read(stderr))
                    .isTrue();
            try (OutputStream in = client.getOutputStream()) {
                in.write("abort\n".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(cancelled.await(GUARD.toSeconds(), TimeUnit.SECONDS))
                    .as("the server cancelled the call the client aborted")
                    .isTrue();
            String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor()).as(() -> read(stderr)).isZero();
            JsonObject seen = JsonValue.parse(out.trim()).asObject();
            assertThat(seen.getString("protocolVersion")).contains(MODERN);
            assertThat(seen.getString("wait")).contains("Request was aborted");
            assertThat(seen.getArray("uncaught").orElseThrow().items()).isEmpty();
        } finally {
            client.destroyForcibly().waitFor();
        }
    }

    /** What every run of {@code ai-sdk-client.mjs} sees; {@code extraTools}: tools the server serves besides. */
    private static void assertSawEverything(JsonObject seen, String version, boolean notifies,
            List<String> extraTools) {
        assertSawEverything(seen, version, notifies, extraTools, true);
    }

    /** {@code asks}: whether the server can ask the client (not a stateless 2025 one). */
    private static void assertSawEverything(JsonObject seen, String version, boolean notifies,
            List<String> extraTools, boolean asks) {
        assertThat(seen.getString("protocolVersion")).as("%s", seen).contains(version);
        JsonObject server = seen.getObject("server").orElseThrow();
        assertThat(server.getString("name")).contains(AiSdkServerMain.NAME);
        assertThat(server.getString("version")).contains("1.2.3");
        JsonObject capabilities = seen.getObject("capabilities").orElseThrow();
        assertThat(capabilities.getObject("tools").orElseThrow().getBoolean("listChanged")).contains(notifies);
        assertThat(capabilities.getObject("resources")).isPresent();
        assertThat(capabilities.getObject("prompts")).isPresent();
        assertThat(capabilities.has("completions")).isFalse();

        // tools/list: every tool with its schemas, on one page
        JsonObject tools = seen.getObject("tools").orElseThrow();
        var names = new ArrayList<>(List.of("echo", "refund", "lookup", "divide", "chart", "forecast", "nothing",
                "weather", "count", "ask"));
        names.addAll(extraTools);
        assertThat(tools.members().keySet()).containsExactlyElementsOf(names);
        assertThat(tools.getObject("echo").orElseThrow().getObject("inputSchema").orElseThrow())
                .isEqualTo(JsonValue.parse("""
                        {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"""));
        JsonObject weather = tools.getObject("weather").orElseThrow();
        assertThat(weather.getObject("outputSchema").orElseThrow().getArray("required").orElseThrow().items())
                .containsExactly(JsonValue.of("city"), JsonValue.of("celsius"));
        assertThat(tools.getObject("echo").orElseThrow().get("outputSchema")).isEqualTo(JsonValue.nullValue());
        assertThat(seen.get("nextCursor")).isEqualTo(JsonValue.nullValue());

        // tools/call: text, structured content, an image, a tool error, a denied capability, a bad argument
        assertThat(text(seen, "echo")).isEqualTo("echo: from the AI SDK");
        assertThat(isError(seen, "echo")).isFalse();
        assertThat(seen.getObject("weather").orElseThrow().getObject("structuredContent").orElseThrow())
                .isEqualTo(JsonValue.parse("{\"city\":\"Bergen\",\"celsius\":11.5,\"sky\":\"cloudy\"}"));
        assertThat(text(seen, "nothing")).contains("returned no JSON object");
        assertThat(isError(seen, "nothing")).isTrue();
        JsonArray chart = seen.getObject("chart").orElseThrow().getArray("content").orElseThrow();
        assertThat(chart.items()).hasSize(2);
        assertThat(((JsonObject) chart.items().get(1)).getString("mimeType")).contains("image/png");
        assertThat(text(seen, "divide")).isEqualTo("cannot divide by zero");
        assertThat(isError(seen, "divide")).isTrue();
        assertThat(text(seen, "refund")).startsWith("Permission denied").contains("payments:refund");
        assertThat(isError(seen, "refund")).isTrue();
        assertThat(text(seen, "lookup")).isEqualTo("customer 42");
        // count reports progress, but the AI SDK asks for none (no progressToken): the server sends it none, which
        // the client would report on the side as messages it does not take
        assertThat(text(seen, "count")).isEqualTo("counted 3");
        JsonObject bad = seen.getObject("badArguments").orElseThrow().getObject("answer").orElseThrow();
        assertThat(bad.getBoolean("isError")).contains(true);
        assertThat(bad.getArray("content").orElseThrow().items().getFirst().toString()).contains("$.text");
        JsonObject unknown = seen.getObject("unknownTool").orElseThrow().getObject("error").orElseThrow();
        assertThat(unknown.getLong("code")).contains(-32602L);

        // the tools as AI SDK tools: the schema the model is given, execute, and the output the model sees
        JsonObject automatic = seen.getObject("automatic").orElseThrow();
        assertThat(automatic.getArray("names").orElseThrow().items()).hasSize(names.size());
        assertThat(automatic.getObject("echoParameters").orElseThrow().getBoolean("additionalProperties"))
                .contains(false);
        assertThat(automatic.getObject("echo").orElseThrow().getArray("content").orElseThrow().toString())
                .contains("echo: as a tool");
        assertThat(automatic.getObject("echoForTheModel").orElseThrow()).isEqualTo(JsonValue.parse("""
                {"type":"content","value":[{"type":"text","text":"the week's chart"},\
                {"type":"file","mediaType":"image/png","data":{"type":"data","data":"iVBORw0KGgo="}}]}"""));
        JsonObject explicit = seen.getObject("explicit").orElseThrow();
        assertThat(explicit.getObject("weather").orElseThrow())
                .isEqualTo(JsonValue.parse("{\"city\":\"Oslo\",\"celsius\":11.5,\"sky\":null}"));

        // resources and prompts
        JsonArray resources = seen.getArray("resources").orElseThrow();
        assertThat(resources.items()).extracting(r -> ((JsonObject) r).getString("name").orElseThrow())
                .containsExactly("a.txt", "sub/b.md");
        JsonObject read = seen.getObject("read").orElseThrow().getObject("answer").orElseThrow();
        assertThat(((JsonObject) read.getArray("contents").orElseThrow().items().getFirst()).getString("text"))
                .contains("hello resource\n");
        JsonObject missing = seen.getObject("readMissing").orElseThrow().getObject("error").orElseThrow();
        assertThat(missing.getLong("code")).contains(-32002L);
        assertThat(seen.getObject("templates")
                .orElseThrow()
                .getObject("answer")
                .orElseThrow()
                .getArray("resourceTemplates")
                .orElseThrow()
                .items()).isEmpty();
        assertThat(seen.getArray("prompts").orElseThrow().items()).hasSize(2);
        JsonObject prompt = seen.getObject("prompt").orElseThrow().getObject("answer").orElseThrow();
        assertThat(prompt.getArray("messages").orElseThrow().toString()).contains("Review a.txt for bugs.");
        // over HTTP in 2026-07-28 its name goes Base64-encoded in Mcp-Name, which the server decodes to compare
        JsonObject unicode = seen.getObject("unicodePrompt").orElseThrow().getObject("answer").orElseThrow();
        assertThat(unicode.getArray("messages").orElseThrow().toString()).contains("Sum it up.");
        JsonObject noPath = seen.getObject("promptMissingArgument").orElseThrow().getObject("error").orElseThrow();
        assertThat(noPath.getLong("code")).contains(-32602L);
        // ask's question: the client answers it (elicitation/create in 2025-11-25, an input_required result it
        // retries with its answer in 2026-07-28), or declines it; a stateless 2025 server cannot ask
        String ask = text(seen.getObject("ask").orElseThrow(), "answer");
        String declined = text(seen.getObject("askDeclined").orElseThrow(), "answer");
        if (asks) {
            assertThat(ask).contains("Ada Lovelace");
            assertThat(declined).contains("declined").contains("asked about decline");
            assertThat(seen.getArray("elicitations").orElseThrow().items()).containsExactly(
                    JsonValue.of("What is your name? (asked about the AI SDK)"),
                    JsonValue.of("What is your name? (asked about decline)"));
        } else {
            assertThat(ask).contains("stateless HTTP server").contains("asked about the AI SDK");
            assertThat(seen.getArray("elicitations").orElseThrow().items()).isEmpty();
        }
        // the server declares no completions, and the AI SDK checks that before it asks
        assertThat(seen.getObject("complete").orElseThrow().getObject("error").orElseThrow().getString("message"))
                .contains("Server does not support completions");
    }

    private static String text(JsonObject seen, String call) {
        return McpTestPeers.text(seen.getObject(call).orElseThrow());
    }

    private static boolean isError(JsonObject seen, String call) {
        return seen.getObject(call).orElseThrow().getBoolean("isError").orElse(false);
    }

    private ServerTelemetry recordCalls() {
        return (operation, target, carrier, attributes) -> {
            served.add(Map.copyOf(attributes));
            return ServerTelemetry.Call.NONE;
        };
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
