package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ServerTelemetry;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The client's negotiation of protocol revision 2026-07-28 against a real server of the v2 TypeScript SDK
 * ({@code modern-server.mjs}, {@code @modelcontextprotocol/server} 2.3.1) over stdio and streamable HTTP: no
 * {@code initialize}, requests with the per-request envelope, and the server's {@code input_required} results
 * answered by the client's elicitation, sampling and roots; an older server still gets {@code initialize}; and
 * servers that claim 2026-07-28 and then misbehave.
 */
class McpModernProtocolTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String MODERN = "2026-07-28";

    @TempDir
    Path dir;

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        McpReconnectTest.awaitCondition(() -> TestServers.children().isEmpty() && TestServers.transportThreads() == 0);
        assertThat(TestServers.children()).as("processes left running").isEmpty();
        assertThat(TestServers.transportThreads()).as("transport threads left running").isZero();
    }

    private static McpTransportSpec.Stdio modern() {
        return McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("modern-server.mjs"), "stdio");
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        return call(tools, tool, args, ServerTelemetry.Call.NONE);
    }

    private static reactor.core.publisher.Mono<ToolResult> execute(McpTools tools, String tool, String args) {
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.of(tools.capability())).build();
        return ToolRegistry.of(tools.tools()).execute(new ToolCall("c", tool, args), policy);
    }

    private static ToolResult call(McpTools tools, String tool, String args, ServerTelemetry.Call served) {
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.of(tools.capability()))
                .servedCall(served)
                .build();
        return ToolRegistry.of(tools.tools()).execute(new ToolCall("c", tool, args), policy).block(WAIT);
    }

    /** The attributes a call's telemetry records. */
    private static ServerTelemetry.Call recording(Map<String, String> attributes) {
        return new ServerTelemetry.Call() {
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
            public void inject(BiConsumer<String, String> carrier) {}

            @Override
            public void end(@Nullable String errorType, @Nullable String description) {}
        };
    }

    /** Tools, a resource and a prompt of a 2026-07-28 server, over whichever transport {@code tools} uses. */
    private static void assertServesEverything(McpTools tools) {
        assertThat(tools.protocolVersion()).isEqualTo(MODERN);
        assertThat(tools.serverInstructions()).isEqualTo("modern instructions");
        assertThat(tools.tools()).extracting(t -> t.spec().name())
                .contains("echo", "confirm", "ask", "rooted", "forever", "read_resource", "list_resources");
        var attributes = new TreeMap<String, String>();
        ToolResult echo = call(tools, "echo", "{\"text\":\"hi\"}", recording(attributes));
        assertThat(echo.isError()).as(echo.content()).isFalse();
        assertThat(echo.content()).isEqualTo("echo: hi");
        assertThat(attributes).containsEntry("mcp.protocol.version", MODERN)
                .containsEntry("mcp.method.name", "tools/call")
                .containsKey("jsonrpc.request.id");
        assertThat(call(tools, "read_resource", "{\"uri\":\"note://hello\"}").content())
                .contains("hello from the modern server");
        assertThat(call(tools, "list_resources", "{}").content()).contains("note://hello");
        assertThat(tools.prompts().block(WAIT)).extracting(McpPrompt::name).containsExactly("greet");
        assertThat(tools.prompt("greet", Map.of("name", "Ada")).block(WAIT))
                .containsExactly(Message.user("Hello, Ada"));
    }

    @Test
    void aServerOfferingTheNewRevisionIsUsedWithoutAHandshakeOverStdio() {
        try (McpTools tools = McpTools.connect("modern", modern()).block(WAIT)) {
            assertServesEverything(tools);
        }
    }

    @Test
    void aServerOfferingTheNewRevisionIsUsedWithoutAHandshakeOverHttp() throws Exception {
        Process server = new ProcessBuilder(TestServers.node(), TestServers.npmScript("modern-server.mjs"), "http")
                .start();
        try (BufferedReader out = server.inputReader()) {
            String url = "http://127.0.0.1:" + out.readLine().split(" ")[1] + "/mcp";
            try (McpTools tools = McpTools.connect("modern", McpTransportSpec.http(url)).block(WAIT)) {
                assertServesEverything(tools);
            }
            try (McpTools asking = McpTools.builder("modern", McpTransportSpec.http(url))
                    .elicitation(r -> Mono.just(McpElicitationAnswer.accept(JsonObject.builder()
                            .put("ok", JsonValue.of(true))
                            .build())))
                    .connect()
                    .block(WAIT)) {
                ToolResult confirmed = call(asking, "confirm", "{}");
                assertThat(confirmed.isError()).as(confirmed.content()).isFalse();
                assertThat(confirmed.content()).isEqualTo("confirm: accept {\"ok\":true}");
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    /** The v2 server over stdio, its stderr appended to {@code log}. */
    private static McpTransportSpec.Stdio modernLogging(Path log) {
        return McpTransportSpec.stdio("sh", "-c", "exec \"$0\" \"$1\" stdio 2>>\"$2\"", TestServers.node(),
                TestServers.npmScript("modern-server.mjs"), log.toString());
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aServerThatDiedIsStartedAgainAndNegotiatesAgain() throws Exception {
        try (McpTools tools = McpTools.connect("modern", modern()).block(WAIT)) {
            long firstPid = tools.pid().orElseThrow();

            McpReconnectTest.kill(tools);
            ToolResult afterRestart = call(tools, "echo", "{\"text\":\"again\"}");

            assertThat(afterRestart.isError()).as(afterRestart.content()).isFalse();
            assertThat(afterRestart.content()).isEqualTo("echo: again");
            assertThat(tools.pid()).isPresent().isNotEqualTo(java.util.OptionalLong.of(firstPid));
            assertThat(tools.protocolVersion()).isEqualTo(MODERN);
        }
    }

    @Test
    void progressOfACallReachesTheAgentAsEvents() {
        try (McpTools tools = McpTools.connect("modern", modern()).block(WAIT)) {
            assertThat(McpProgressAndCancellationTest.progressOf(tools, "steps", "{}"))
                    .containsExactly("steps 1.0/2.0 half", "steps 2.0/2.0 all");
        }
    }

    @Test
    void aCallThatTimesOutIsCancelledOnTheServerOverStdio() throws Exception {
        Path log = dir.resolve("stderr");
        // The server never answers; the timeout runs on a virtual clock, moved once the server has the call.
        var clock = VirtualTimeScheduler.create();
        try (McpTools tools = McpTools.builder("modern", modernLogging(log))
                .callTimeout(Duration.ofMillis(300))
                .timers(clock)
                .connect()
                .block(WAIT)) {
            var answer = execute(tools, "slow", "{}").toFuture();
            McpReconnectTest.awaitCondition(() -> lines(log).contains("slow called"));
            clock.advanceTimeBy(Duration.ofMillis(300));
            ToolResult r = answer.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
            McpReconnectTest.awaitCondition(() -> lines(log).contains("slow cancelled"));
            assertThat(lines(log)).contains("slow called", "slow cancelled");
        }
    }

    @Test
    void aCallThatTimesOutClosesItsStreamOverHttpWhichCancelsItOnTheServer() throws Exception {
        Process server = new ProcessBuilder(TestServers.node(), TestServers.npmScript("modern-server.mjs"), "http")
                .start();
        try (BufferedReader out = server.inputReader(); BufferedReader err = server.errorReader()) {
            String url = "http://127.0.0.1:" + out.readLine().split(" ")[1] + "/mcp";
            var clock = VirtualTimeScheduler.create();
            try (McpTools tools = McpTools.builder("modern", McpTransportSpec.http(url))
                    .callTimeout(Duration.ofMillis(300))
                    .timers(clock)
                    .connect()
                    .block(WAIT)) {
                var answer = execute(tools, "slow", "{}").toFuture();
                // The timeout runs on a virtual clock, moved once the server has the call.
                assertThat(err.readLine()).isEqualTo("slow called");
                clock.advanceTimeBy(Duration.ofMillis(300));
                ToolResult r = answer.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

                assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
                assertThat(err.readLine()).isEqualTo("slow cancelled");
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void anOlderServerStillGetsInitialize() {
        try (McpTools tools = McpTools.connect("everything", TestServers.everything()).block(WAIT)) {
            assertThat(tools.protocolVersion()).isNotEmpty().isNotEqualTo(MODERN).startsWith("2025-");
            assertThat(call(tools, "echo", "{\"message\":\"hi\"}").content()).contains("hi");
        }
    }

    @Test
    void anElicitationTheServerNeedsIsAskedOfTheHandlerAndTheRequestSentAgainWithTheAnswer() {
        var asked = new ConcurrentLinkedQueue<McpElicitationRequest>();
        McpElicitationHandler handler = r -> {
            asked.add(r);
            return Mono.just(McpElicitationAnswer.accept(JsonObject.builder().put("ok", JsonValue.of(true)).build()));
        };
        try (McpTools tools = McpTools.builder("modern", modern()).elicitation(handler).connect().block(WAIT)) {
            ToolResult r = call(tools, "confirm", "{}");

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).isEqualTo("confirm: accept {\"ok\":true}");
            assertThat(asked).singleElement().satisfies(req -> {
                assertThat(req.server()).isEqualTo("modern");
                assertThat(req.message()).isEqualTo("Proceed?");
            });
        }
        try (McpTools declining = McpTools.builder("modern", modern())
                .elicitation(req -> Mono.just(McpElicitationAnswer.decline()))
                .connect()
                .block(WAIT)) {
            assertThat(call(declining, "confirm", "{}").content()).isEqualTo("confirm: decline {}");
        }
    }

    @Test
    void aModelReplyTheServerNeedsGoesThroughSamplingAndItsApprover() {
        var model = ScriptedChatModel.of(Reply.text("hi there"));
        var approvals = new AtomicInteger();
        McpSamplingApprover approver = r -> {
            approvals.incrementAndGet();
            return Mono.just(Decision.approveOnce());
        };
        try (McpTools tools = McpTools.builder("modern", modern())
                .sampling(model, McpSamplingOptions.approvedBy(approver))
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "ask", "{}");

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).isEqualTo("model said: hi there");
            assertThat(approvals).hasValue(1);
            assertThat(model.lastRequest().messages()).containsExactly(Message.user("Say hi"));
        }
    }

    @Test
    void theRootsTheServerAsksForAreTheConfiguredOnes() {
        try (McpTools tools = McpTools.builder("modern", modern()).roots(dir).connect().block(WAIT)) {
            ToolResult r = call(tools, "rooted", "{}");

            assertThat(r.isError()).as(r.content()).isFalse();
            assertThat(r.content()).startsWith("roots: file:").contains(dir.getFileName().toString());
        }
    }

    @Test
    void inputTheClientDidNotDeclareIsNotGivenAndTheCallSaysWhy() {
        var model = ScriptedChatModel.of(Reply.text("never asked"));
        try (McpTools tools = McpTools.builder("modern", modern())
                .elicitation(r -> Mono.just(McpElicitationAnswer.decline()))
                .connect()
                .block(WAIT)) {
            ToolResult sampling = call(tools, "ask", "{}");
            ToolResult roots = call(tools, "rooted", "{}");

            // The SDK's server reads the capabilities each request declares, and does not ask.
            assertThat(sampling.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(sampling.content()).contains("MCP server 'modern' refused the call to \"ask\"")
                    .contains("do not declare the required capability");
            assertThat(roots.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(roots.content()).contains("roots/list").contains("do not declare the required capability");
            assertThat(model.requests()).isEmpty();
            assertThat(call(tools, "echo", "{\"text\":\"still here\"}").content()).isEqualTo("echo: still here");
        }
    }

    @Test
    void aServerThatAsksForInputTheClientDidNotDeclareAnywayGetsNoneAndTheCallSaysWhy() {
        var model = ScriptedChatModel.of(Reply.text("never asked"));
        try (McpTools tools = McpTools.builder("fake", TestServers.fake("modern-garbage"))
                .elicitation(r -> Mono.just(McpElicitationAnswer.decline()))
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "sneaky", "{}");

            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("MCP server 'fake' asked for sampling/createMessage (input 'model' of "
                    + "tools/call), which this client did not declare: sampling is not configured");
            assertThat(model.requests()).isEmpty();
        }
    }

    @Test
    void aServerThatNeverStopsAskingIsGivenUpOnAfterTenRounds() {
        var asked = new AtomicInteger();
        try (McpTools tools = McpTools.builder("modern", modern())
                .elicitation(r -> {
                    asked.incrementAndGet();
                    return Mono.just(McpElicitationAnswer.accept(JsonObject.builder()
                            .put("ok", JsonValue.of(true))
                            .build()));
                })
                .connect()
                .block(WAIT)) {
            ToolResult r = call(tools, "forever", "{}");

            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).contains("still asked for input after 10 rounds of tools/call");
            assertThat(asked).hasValue(10);
            assertThat(call(tools, "echo", "{\"text\":\"after\"}").content()).isEqualTo("echo: after");
        }
    }

    @Test
    void aServerThatClaimsTheNewRevisionAndAnswersGarbageGetsClearErrors() {
        try (McpTools tools = McpTools.connect("fake", TestServers.fake("modern-garbage")).block(WAIT)) {
            assertThat(tools.protocolVersion()).isEqualTo(MODERN);

            ToolResult noKind = call(tools, "ping", "{}");
            ToolResult notAResult = call(tools, "bad", "{}");

            assertThat(noKind.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(noKind.content()).contains("answered tools/call without the resultType a 2026-07-28 server "
                    + "must send");
            assertThat(notAResult.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(notAResult.content()).contains("answered tools/call with a result that does not have the "
                    + "form of one");
        }
    }

    @Test
    void aToolListedWith2025TaskSupportIsCalledDirectlyOnA2026Connection() {
        // In 2026-07-28 tasks are an extension the server starts itself; a 2025 task-augmented call would lack the
        // revision's envelope.
        try (McpTools tools = McpTools.connect("fake", TestServers.fake("modern-garbage")).block(WAIT)) {
            assertThat(call(tools, "tasky", "{}").content()).isEqualTo("tasky: direct, enveloped");
        }
    }
}
