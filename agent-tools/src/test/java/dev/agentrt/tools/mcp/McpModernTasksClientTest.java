package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link McpTools} as the client of the 2026-07-28 tasks extension, against our own {@link McpServer} whose tools
 * must be called as tasks (it refuses a call that does not declare the extension with {@code -32021}): over HTTP
 * (in process, its tools' latches the test's) and stdio ({@link TaskServerMain}). A call is answered with a task the
 * client follows ({@code tasks/get}) to the tool's result; a tool's error result comes back as one; the agent
 * cancelling the call, or the call's timeout, cancels the task ({@code tasks/cancel}), which the server's tool sees.
 * The timeouts are hang guards, except the one call timeout under test, which ends a call that never ends by itself.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpModernTasksClientTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    private McpHttpServer serve(McpModernTasksTest.Gates gates) {
        McpServer server = McpServer.builder(McpModernTasksTest.tools(gates))
                .name("task-test")
                // Longer than the tests' hang guards: a held tool ends only when a tasks/cancel reaches it.
                .timeout(Duration.ofMinutes(10))
                .tasks(McpTaskOptions.required().withPollInterval(Duration.ofMillis(20)))
                .build();
        return http.serve(server, McpHttpOptions.defaults());
    }

    private static Mono<ToolResult> call(McpTools tools, String tool, String args) {
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.of(tools.capability())).build();
        return ToolRegistry.of(tools.tools()).execute(new ToolCall("c", tool, args), policy);
    }

    @Test
    void followsATaskToTheToolsResultOverHttp() {
        var gates = new McpModernTasksTest.Gates();
        McpHttpServer served = serve(gates);
        try (McpTools tools = McpTools.connect("tasks", McpTransportSpec.http(served.url().toString())).block(WAIT)) {
            assertThat(tools.protocolVersion()).isEqualTo("2026-07-28");
            ToolResult echo = call(tools, "echo", "{\"text\":\"via a task\"}").block(WAIT);
            assertThat(echo.isError()).as(echo.content()).isFalse();
            assertThat(echo.content()).isEqualTo("echo: via a task");
            ToolResult fail = call(tools, "fail", "{}").block(WAIT);
            assertThat(fail.isError()).isTrue();
            assertThat(fail.content()).contains("it broke");

            // a task that runs until released: the client polls until it ends
            Mono<ToolResult> held = call(tools, "hold", "{\"name\":\"R\"}").cache();
            held.subscribe();
            McpModernTasksTest.Gate r = gates.gate("R");
            assertThat(await(r.entered)).isTrue();
            r.release.tryEmitValue("released");
            assertThat(held.block(WAIT).content()).isEqualTo("released");
        }
    }

    @Test
    void cancellingTheCallCancelsTheTaskOnTheServer() {
        var gates = new McpModernTasksTest.Gates();
        McpHttpServer served = serve(gates);
        try (McpTools tools = McpTools.connect("tasks", McpTransportSpec.http(served.url().toString())).block(WAIT)) {
            var progress = new java.util.concurrent.LinkedBlockingQueue<AgentEvent.ToolProgress>();
            Disposable running = watched(tools, "hold", "{\"name\":\"C\"}", progress).subscribe();
            McpModernTasksTest.Gate c = gates.gate("C");
            assertThat(await(c.entered)).isTrue();
            // Cancelled once the client knows the task (its progress says so), so only tasks/cancel can stop it.
            AgentEvent.ToolProgress task = poll(progress);
            assertThat(task.message()).startsWith("MCP server 'tasks' runs the call as task \"");
            running.dispose();
            assertThat(await(c.cancelled)).as("tasks/cancel reached the tool").isTrue();
            assertThat(c.runs.get()).isEqualTo(1);
        }
    }

    @Test
    void theCallsTimeoutCancelsTheTaskOnTheServer() throws Exception {
        var gates = new McpModernTasksTest.Gates();
        McpHttpServer served = serve(gates);
        // The timeout runs on a virtual clock, moved once the client knows the task.
        var clock = VirtualTimeScheduler.create();
        try (McpTools tools = McpTools.builder("tasks", McpTransportSpec.http(served.url().toString()))
                .callTimeout(Duration.ofMillis(500))
                .timers(clock)
                .connect()
                .block(WAIT)) {
            var progress = new java.util.concurrent.LinkedBlockingQueue<AgentEvent.ToolProgress>();
            var answer = watched(tools, "hold", "{\"name\":\"T\"}", progress).toFuture();
            assertThat(poll(progress).message()).startsWith("MCP server 'tasks' runs the call as task \"");
            // The tool runs before the timeout: a task cancelled before its tool started would never run it at all.
            McpModernTasksTest.Gate t = gates.gate("T");
            assertThat(await(t.entered)).isTrue();
            clock.advanceTimeBy(Duration.ofMillis(500));
            ToolResult timedOut = answer.get(60, TimeUnit.SECONDS);
            assertThat(timedOut.errorKind()).as(timedOut.content()).isEqualTo(ToolErrorKind.TIMEOUT);
            assertThat(await(t.cancelled)).as("tasks/cancel reached the tool").isTrue();
        } finally {
            clock.dispose();
        }
    }

    @Test
    void followsATaskOverStdio() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var spec = McpTransportSpec.stdio(java, "-Dtasks.required=true", "-cp", System.getProperty("java.class.path"),
                TaskServerMain.class.getName());
        try (McpTools tools = McpTools.connect("tasks", spec).block(WAIT)) {
            assertThat(tools.protocolVersion()).isEqualTo("2026-07-28");
            ToolResult echo = call(tools, "echo", "{\"text\":\"over stdio\"}").block(WAIT);
            assertThat(echo.isError()).as(echo.content()).isFalse();
            assertThat(echo.content()).isEqualTo("echo: over stdio");
        }
    }

    @Test
    void aTaskCreatedCompletedIsAskedForAndFailedInputRequiredAndUnknownStatesEndTheCallClearly() {
        var spec = McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("modern-task-server.mjs"));
        try (McpTools tools = McpTools.connect("scripted", spec).block(WAIT)) {
            assertThat(tools.protocolVersion()).isEqualTo("2026-07-28");
            // the server refuses a call that does not declare the extension: these answers show it was declared
            ToolResult quick = call(tools, "quick", "{}").block(WAIT);
            assertThat(quick.isError()).as(quick.content()).isFalse();
            assertThat(quick.content()).isEqualTo("quick done");
            ToolResult breaks = call(tools, "breaks", "{}").block(WAIT);
            assertThat(breaks.isError()).isTrue();
            assertThat(breaks.content()).contains("backend down");
            ToolResult asks = call(tools, "asks", "{}").block(WAIT);
            assertThat(asks.isError()).isTrue();
            // its elicitation is refused: this client declares none (no handler), and the task is cancelled
            assertThat(asks.content()).contains("elicitation/create", "did not declare");
            ToolResult weird = call(tools, "weird", "{}").block(WAIT);
            assertThat(weird.isError()).isTrue();
            assertThat(weird.content()).contains("\"paused\"", "none of the tasks extension's");
            // answered once both unfinished tasks were cancelled: the test hangs (guard) if one was not
            ToolResult cancelled = call(tools, "cancelled", "{}").block(WAIT);
            assertThat(cancelled.content()).isEqualTo("[\"asks-3\",\"weird-4\"]");
        }
    }

    @Test
    void aTaskAskingForInputIsAnsweredByTheElicitationHandlerWithTasksUpdate() {
        var spec = McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("modern-task-server.mjs"));
        var asked = new java.util.concurrent.ConcurrentLinkedQueue<McpElicitationRequest>();
        try (McpTools tools = McpTools.builder("scripted", spec)
                .elicitation(request -> {
                    asked.add(request);
                    return Mono.just(McpElicitationAnswer.accept(dev.agentrt.core.json.JsonObject.builder()
                            .put("answer", "Ada")
                            .build()));
                })
                .connect()
                .block(WAIT)) {
            ToolResult takes = call(tools, "takes", "{}").block(WAIT);
            assertThat(takes.isError()).as(takes.content()).isFalse();
            // the server's result is the response it was given
            assertThat(dev.agentrt.core.json.JsonValue.parse(takes.content()))
                    .isEqualTo(dev.agentrt.core.json.JsonValue
                            .parse("{\"action\":\"accept\",\"content\":{\"answer\":\"Ada\"}}"));
            assertThat(asked).singleElement().satisfies(r -> assertThat(r.message()).isEqualTo("Your name?"));
            // one tasks/update, the input answered once although the task was input_required until then
            ToolResult updates = call(tools, "updates", "{}").block(WAIT);
            assertThat(dev.agentrt.core.json.JsonValue.parse(updates.content()).asArray().items()).hasSize(1);
        }
    }

    @Test
    void aTaskAskingForTooMuchInputAtOnceOrTooManyTimesIsCancelled() {
        var spec = McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("modern-task-server.mjs"));
        var asked = new java.util.concurrent.atomic.AtomicInteger();
        try (McpTools tools = McpTools.builder("scripted", spec)
                .elicitation(request -> {
                    asked.incrementAndGet();
                    return Mono.just(McpElicitationAnswer.accept(dev.agentrt.core.json.JsonObject.builder()
                            .put("answer", "again")
                            .build()));
                })
                .connect()
                .block(WAIT)) {
            ToolResult greedy = call(tools, "greedy", "{}").block(WAIT);
            assertThat(greedy.isError()).isTrue();
            assertThat(greedy.content()).contains("17 inputs", "the task is cancelled");
            assertThat(asked).hasValue(0);
            ToolResult insatiable = call(tools, "insatiable", "{}").block(WAIT);
            assertThat(insatiable.isError()).isTrue();
            assertThat(insatiable.content()).contains("after 10 rounds", "the task is cancelled");
            assertThat(asked).hasValue(10);
            // answered once both tasks were cancelled: the test hangs (guard) if one was not
            ToolResult cancelled = call(tools, "cancelled", "{}").block(WAIT);
            assertThat(cancelled.content()).isEqualTo("[\"greedy-1\",\"insatiable-2\"]");
        }
    }

    @Test
    void aCallCancelledBeforeItsTaskWasNamedCancelsTheTaskWhenTheLateAnswerNamesIt() {
        var spec = McpTransportSpec.stdio(TestServers.node(), TestServers.npmScript("modern-task-server.mjs"));
        try (McpTools tools = McpTools.connect("scripted", spec).block(WAIT)) {
            Disposable late = call(tools, "late", "{}").subscribe();
            // Messages are read in order: once "seen" is answered, the server holds the "late" call.
            assertThat(call(tools, "seen", "{}").block(WAIT).content()).isEqualTo("seen");

            late.dispose();

            // The server answers the cancelled call with a task; answered once that task was cancelled (else the
            // test hangs to its guard).
            ToolResult cancelled = call(tools, "cancelled", "{}").block(WAIT);
            assertThat(cancelled.content()).isEqualTo("[\"late-1\"]");
        }
    }

    /** A call of {@code tool} whose progress events go to {@code progress}. */
    private static Mono<ToolResult> watched(McpTools tools, String tool, String args,
            java.util.Queue<AgentEvent.ToolProgress> progress) {
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.of(tools.capability()))
                .events(e -> {
                    if (e instanceof AgentEvent.ToolProgress p) {
                        progress.add(p);
                    }
                })
                .build();
        return ToolRegistry.of(tools.tools()).execute(new ToolCall("c", tool, args), policy);
    }

    private static <T> T poll(java.util.concurrent.BlockingQueue<T> queue) {
        try {
            T next = queue.poll(60, TimeUnit.SECONDS);
            assertThat(next).as("a hang guard").isNotNull();
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean await(java.util.concurrent.CountDownLatch latch) {
        try {
            return latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
