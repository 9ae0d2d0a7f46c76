package dev.agentrt.examples;

import static dev.agentrt.core.testing.Transcripts.toolResult;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.tool.InputRequest;
import dev.agentrt.tools.mcp.McpElicitationAnswer;
import dev.agentrt.tools.mcp.McpElicitationHandler;
import dev.agentrt.tools.mcp.McpElicitationRequest;
import dev.agentrt.tools.mcp.McpSamplingOptions;
import dev.agentrt.tools.mcp.McpTools;
import dev.agentrt.tools.mcp.McpTransportSpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * An MCP server's elicitation pausing a durable run ({@code McpTools.Builder.elicitationPausesRun}), end to end: the
 * v2 TypeScript SDK's server ({@code @modelcontextprotocol/server} 2.3.1, agent-tools' {@code modern-server.mjs},
 * 2026-07-28) and server-everything (2025-11-25) as the peers, the SQLite run store, and a new agent on the same store
 * file for a process that comes after. Here because agent-tools may not depend on agent-runs; the servers are the npm
 * packages agent-tools' test build installs (its {@code process-test-resources} runs {@code npm ci} in
 * {@code agent-tools/src/test/npm}).
 */
class McpDurableElicitationTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Path NPM = Path.of("../agent-tools/src/test/npm").toAbsolutePath().normalize();
    private static final ToolCall CONFIRM = new ToolCall("call-confirm", "confirm", "{}");
    private static final ToolCall PLAN = new ToolCall("call-plan", "plan", "{}");
    private static final ToolCall FOREVER = new ToolCall("call-forever", "forever", "{}");
    private static final JsonObject CONFIRM_SCHEMA = JsonValue.parse("""
            {"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}
            """).asObject();

    @TempDir
    Path dir;

    /** What the current "process" holds: its connection and its store. */
    private final List<AutoCloseable> open = new ArrayList<>();
    /** The HTTP servers, which outlive the processes. */
    private final List<Process> servers = new ArrayList<>();
    /** What the in-process handler was asked. */
    private final ConcurrentLinkedQueue<McpElicitationRequest> handled = new ConcurrentLinkedQueue<>();
    private final McpElicitationHandler handler = request -> {
        handled.add(request);
        return Mono.just(request.message().equals("Proceed?")
                ? McpElicitationAnswer.accept(JsonObject.builder().put("ok", true).build())
                : McpElicitationAnswer.decline());
    };

    @AfterEach
    void closeEverythingAndLeaveNoProcess() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        for (Process server : servers) {
            server.destroyForcibly().waitFor();
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }

    private static McpTransportSpec.Stdio npmScript(String script, String... args) {
        Path js = NPM.resolve(script);
        Path sdk = NPM.resolve("node_modules/@modelcontextprotocol/server/package.json");
        if (!Files.isRegularFile(js) || !Files.isRegularFile(sdk)) {
            throw new AssertionError(sdk + " is missing: this test runs the MCP servers agent-tools' test build "
                    + "installs ('mvn test' in agent-tools, or 'npm ci' in agent-tools/src/test/npm)");
        }
        var command = new ArrayList<String>(List.of(js.toString()));
        command.addAll(List.of(args));
        return McpTransportSpec.stdio("node", command, java.util.Map.of());
    }

    private static McpTransportSpec.Stdio modern() {
        return npmScript("modern-server.mjs", "stdio");
    }

    private static McpTransportSpec.Stdio everything() {
        npmScript("modern-server.mjs");
        return npmScript("node_modules/@modelcontextprotocol/server-everything/dist/index.js", "stdio");
    }

    /** One "process": a store on the shared file, a connection to the server, and an agent over both. */
    private Agent process(McpTransportSpec spec, @Nullable ToolCall call, boolean withStore, boolean pauses) {
        return process(McpTools.builder("shop", spec), call, withStore, pauses);
    }

    private Agent process(McpTools.Builder builder, @Nullable ToolCall call, boolean withStore) {
        return process(builder, call, withStore, true);
    }

    private Agent process(McpTools.Builder builder, @Nullable ToolCall call, boolean withStore, boolean pauses) {
        McpTools tools = builder
                .elicitation(handler)
                .elicitationPausesRun(pauses)
                .connect()
                .block(WAIT);
        open.add(tools);
        var model = ScriptedChatModel.builder()
                .replies(call == null ? Reply.text("nothing to do") : Reply.toolCalls(call), Reply.text("Done."))
                .perConversation()
                .build();
        Agent.Builder agent = Agent.builder().model(model).tools(tools).grant(tools.capability());
        if (withStore) {
            RunStore store = RunStore.open(dir.resolve("runs.db"));
            open.add(store);
            agent.runStore(store);
        }
        return agent.build();
    }

    private void stop() throws Exception {
        // The process ends: its connection and its store close (the run is paused, nothing holds it).
        for (int i = open.size() - 1; i >= 0; i--) {
            open.remove(i).close();
        }
    }

    @Test
    void aModernServersElicitationPausesTheRunAndAnAnswerInALaterProcessFinishesTheCall() throws Exception {
        Agent first = process(modern(), CONFIRM, true, true);
        AgentResult paused = first.task("Confirm the order").withId("run-confirm").execute().block(WAIT);

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_INPUT);
        assertThat(first.pending("run-confirm").collectList().block(WAIT)).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(PendingCall.Kind.INPUT);
            assertThat(p.call()).isEqualTo(CONFIRM);
            assertThat(p.text()).isEqualTo("Proceed?");
            assertThat(p.answerSchema()).isEqualTo(CONFIRM_SCHEMA);
        });
        assertThatThrownBy(() -> first.answer("run-confirm", CONFIRM.id(), "yes").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not JSON")
                .hasMessageContaining("nothing was recorded");
        assertThatThrownBy(() -> first.answer("run-confirm", CONFIRM.id(), "{\"ok\":\"yes\"}").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$.ok")
                .hasMessageContaining("nothing was recorded");
        stop();

        Agent second = process(modern(), CONFIRM, true, true);
        assertThat(second.pending("run-confirm").collectList().block(WAIT)).hasSize(1);
        second.answer("run-confirm", CONFIRM.id(), "{\"ok\":true}").block(WAIT);
        AgentResult done = second.resume("run-confirm").execute().block(WAIT);

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(toolResult(done, CONFIRM.id())).satisfies(r -> {
            assertThat(r.error()).isFalse();
            assertThat(r.content()).isEqualTo("confirm: accept {\"ok\":true}");
        });
        assertThat(done.text()).isEqualTo("Done.");
        assertThat(handled).as("the run paused; the in-process handler was not asked").isEmpty();
    }

    @Test
    void aRoundThatAlsoAsksTheModelIsAnsweredInProcessOnceAndItsAnswerSentAgainWithTheUsers() throws Exception {
        var approvals = new java.util.concurrent.atomic.AtomicInteger();
        var meals = ScriptedChatModel.of(Reply.text("pasta"));
        Agent first = process(McpTools.builder("shop", modern())
                .sampling(meals,
                        McpSamplingOptions.approvedBy(r -> {
                            approvals.incrementAndGet();
                            return Mono.just(Decision.approveOnce());
                        })),
                PLAN, true);
        assertThat(first.task("Plan").withId("run-plan").execute().block(WAIT).outcome())
                .isEqualTo(Outcome.AWAITING_INPUT);
        assertThat(first.pending("run-plan").collectList().block(WAIT)).singleElement()
                .extracting(PendingCall::text)
                .isEqualTo("Which seat?");
        stop();

        // The next process has a model that must not be asked: the first reply is in the journal.
        var unused = ScriptedChatModel.of(Reply.text("never asked"));
        Agent second = process(McpTools.builder("shop", modern())
                .sampling(unused,
                        McpSamplingOptions.approvedBy(r -> Mono.just(Decision.approveOnce()))),
                PLAN, true);
        second.answer("run-plan", PLAN.id(), "{\"seat\":\"12C\"}").block(WAIT);
        AgentResult done = second.resume("run-plan").execute().block(WAIT);

        assertThat(toolResult(done, PLAN.id()).content())
                .isEqualTo("plan: model said pasta; seat accept {\"seat\":\"12C\"}; state plan-state");
        assertThat(approvals).hasValue(1);
        assertThat(meals.requests()).hasSize(1);
        assertThat(unused.requests()).isEmpty();
        assertThat(handled).isEmpty();
    }

    @Test
    void aServerThatKeepsAskingGetsItsRequestStateBackEachRoundAndIsStoppedAfterTheMostRounds() {
        Agent agent = process(modern(), FOREVER, true, true);
        AgentResult result = agent.task("Loop").withId("run-forever").execute().block(WAIT);
        for (int round = 1; round <= InputRequest.MAX_ROUNDS; round++) {
            assertThat(result.outcome()).as("round %d", round).isEqualTo(Outcome.AWAITING_INPUT);
            // The server counts its rounds in requestState: "Round n" shows each re-run sent the last one back.
            assertThat(agent.pending("run-forever").collectList().block(WAIT)).singleElement()
                    .extracting(PendingCall::text)
                    .isEqualTo("Round " + round);
            agent.answer("run-forever", FOREVER.id(), "{\"ok\":true}").block(WAIT);
            result = agent.resume("run-forever").execute().block(WAIT);
        }

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(toolResult(result, FOREVER.id())).satisfies(r -> {
            assertThat(r.error()).isTrue();
            assertThat(r.content()).startsWith("Stopped: the tool asked the user " + InputRequest.MAX_ROUNDS)
                    .endsWith("Round " + (InputRequest.MAX_ROUNDS + 1));
        });
        assertThat(handled).isEmpty();
    }

    @Test
    void withoutARunStoreOrWithoutTheSettingTheHandlerAnswersInProcessAsBefore() {
        AgentResult noStore = process(modern(), CONFIRM, false, true).task("Confirm").execute().block(WAIT);
        AgentResult notPausing = process(modern(), CONFIRM, true, false).task("Confirm")
                .withId("run-not-pausing")
                .execute()
                .block(WAIT);

        for (AgentResult r : List.of(noStore, notPausing)) {
            assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
            assertThat(toolResult(r, CONFIRM.id()).content()).isEqualTo("confirm: accept {\"ok\":true}");
        }
        assertThat(handled).hasSize(2).allSatisfy(req -> {
            assertThat(req.message()).isEqualTo("Proceed?");
            assertThat(req.requestedSchema()).isEqualTo(CONFIRM_SCHEMA);
        });
    }

    /** server-everything over streamable HTTP (2025-11-25), on a free port; stopped after the test. */
    private String everythingOverHttp() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var command = new ArrayList<String>(List.of("node", everything().args().get(0), "streamableHttp"));
        var builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PORT", Integer.toString(port));
        Process server = builder.start();
        servers.add(server);
        var stderr = server.errorReader();
        String line;
        while ((line = stderr.readLine()) != null && !line.contains("listening")) {
            // wait until it listens
        }
        assertThat(line).as("server-everything did not start listening").isNotNull();
        return "http://localhost:" + port + "/mcp";
    }

    private static final ToolCall TRIGGER = new ToolCall("call-ask", "trigger-elicitation-request", "{}");
    private static final String FIELDS = "Please provide inputs for the following fields:";
    private static final String ADA = "{\"name\":\"Ada Lovelace\",\"check\":true,\"integer\":7,"
            + "\"untitledSingleSelectEnum\":\"Ross\"}";

    @Test
    void overHttpA2025ServersElicitationIsTiedToItsCallByItsStreamAndPausesTheRun() throws Exception {
        String url = everythingOverHttp();
        Agent first = process(McpTransportSpec.http(url), TRIGGER, true, true);
        AgentResult paused = first.task("Ask").withId("run-http").execute().block(WAIT);

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_INPUT);
        PendingCall pending = first.pending("run-http").collectList().block(WAIT).get(0);
        assertThat(pending.text()).isEqualTo(FIELDS);
        assertThat(pending.answerSchema()).isNotNull();
        assertThat(pending.answerSchema().getObject("properties").orElseThrow().has("birthdate")).isTrue();
        assertThatThrownBy(
                () -> first.answer("run-http", TRIGGER.id(), "{\"name\":\"Ada\",\"integer\":5000}").block(WAIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nothing was recorded");
        stop();

        Agent second = process(McpTransportSpec.http(url), TRIGGER, true, true);
        second.answer("run-http", TRIGGER.id(), ADA).block(WAIT);
        AgentResult done = second.resume("run-http").execute().block(WAIT);

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(toolResult(done, TRIGGER.id()).content()).contains("User provided the requested information")
                .contains("- Name: Ada Lovelace")
                .contains("\"action\": \"accept\"");
        assertThat(handled).as("the run paused; the in-process handler was not asked").isEmpty();
    }

    /** elicit-http-server.mjs (the v1 TypeScript SDK over streamable HTTP), on a port it picks. */
    private String elicitHttpServer() throws Exception {
        npmScript("elicit-http-server.mjs");
        Process server = new ProcessBuilder("node", NPM.resolve("elicit-http-server.mjs").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        servers.add(server);
        String line = server.inputReader().readLine();
        assertThat(line).as("elicit-http-server did not start listening").startsWith("listening ");
        return "http://127.0.0.1:" + line.split(" ")[1] + "/mcp";
    }

    @Test
    void overHttpARerunAskedSomethingElsePausesAgainAndTheSecondAnswerFinishesTheCall() throws Exception {
        var order = new ToolCall("call-order", "order", "{}");
        Agent agent = process(McpTransportSpec.http(elicitHttpServer()), order, true, true);
        agent.task("Order").withId("run-order").execute().block(WAIT);
        assertThat(agent.pending("run-order").collectList().block(WAIT)).singleElement()
                .extracting(PendingCall::text)
                .isEqualTo("Which seat?");

        agent.answer("run-order", order.id(), "{\"seat\":\"12C\"}").block(WAIT);
        AgentResult again = agent.resume("run-order").execute().block(WAIT);

        // The re-run was asked another question: the recorded answer is not given to it, the run pauses again.
        assertThat(again.outcome()).isEqualTo(Outcome.AWAITING_INPUT);
        assertThat(agent.pending("run-order").collectList().block(WAIT)).singleElement().satisfies(p -> {
            assertThat(p.text()).isEqualTo("Which meal?");
            assertThat(p.answerSchema().getObject("properties").orElseThrow().has("meal")).isTrue();
        });
        agent.answer("run-order", order.id(), "{\"meal\":\"pasta\"}").block(WAIT);
        AgentResult done = agent.resume("run-order").execute().block(WAIT);

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(toolResult(done, order.id()).content()).isEqualTo("Which meal? accept {\"meal\":\"pasta\"}");
        assertThat(handled).isEmpty();
    }

    @Test
    void overHttpAnElicitationOffTheCallsStreamThatClaimsToBeTheCallsGoesToTheHandler() throws Exception {
        var forged = new ToolCall("call-forged", "forged", "{}");
        Agent agent = process(McpTransportSpec.http(elicitHttpServer()), forged, true, true);

        AgentResult result = agent.task("Forge").withId("run-forged").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(toolResult(result, forged.id()).content()).isEqualTo("Forged? decline {}");
        assertThat(handled).singleElement().extracting(McpElicitationRequest::message).isEqualTo("Forged?");
    }

    @Test
    void overHttpWithoutARunStoreThe2025ServersElicitationGoesToTheHandler() throws Exception {
        String url = everythingOverHttp();
        AgentResult result = process(McpTransportSpec.http(url), TRIGGER, false, true).task("Ask")
                .execute()
                .block(WAIT);

        assertThat(toolResult(result, TRIGGER.id()).content()).contains("User declined");
        assertThat(handled).singleElement().extracting(McpElicitationRequest::message).isEqualTo(FIELDS);
    }

    @Test
    void overStdioA2025ServersElicitationCannotBeTiedToTheCallSoTheHandlerAnswersItEvenInADurableRun() {
        Agent agent = process(everything(), new ToolCall("call-ask", "trigger-elicitation-request", "{}"), true,
                true);

        AgentResult result = agent.task("Ask").withId("run-2025").execute().block(WAIT);

        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(toolResult(result, "call-ask").content()).contains("User declined");
        assertThat(handled).singleElement()
                .satisfies(req -> assertThat(req.message()).isEqualTo(
                        "Please provide inputs for the following fields:"));
    }

    @Test
    void pausingWithoutAnElicitationHandlerIsRefusedWhenConnecting() {
        assertThatThrownBy(() -> McpTools.builder("shop", modern()).elicitationPausesRun(true).connect().block(WAIT))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("elicitationPausesRun needs an elicitation handler (elicitation(handler)), which answers "
                        + "where a run cannot pause");
    }
}
