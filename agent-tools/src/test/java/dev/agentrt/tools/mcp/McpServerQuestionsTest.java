package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpTestPeers.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.InputRequest;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A served tool that asks the user a question ({@link ToolResult#inputRequired}): the server asks the MCP client,
 * and the answer is the call's result. The TypeScript SDK's v1 client is asked with {@code elicitation/create} (2025
 * revisions, stdio and HTTP), its v2 client and ours get an {@code input_required} result (2026-07-28) and retry
 * with the answer; raw requests try forged, replayed, stale and misshapen answers. Timeouts are hang guards only,
 * except the server's answer timeout where a client never answers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpServerQuestionsTest {
    private static final String MODERN = "2026-07-28";
    private static final String QUESTION = AskingServerMain.question("names");

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    private McpHttpServer serve(boolean stateless) {
        return serve(stateless, Duration.ofMinutes(10), Clock.systemUTC());
    }

    private McpHttpServer serve(boolean stateless, Duration answerTimeout, Clock clock) {
        return http.serve(AskingServerMain.server(answerTimeout, clock),
                McpHttpOptions.defaults().stateless(stateless));
    }

    private static JsonObject client(Path dir, String sdk, String answer, List<String> target) throws Exception {
        var args = new ArrayList<>(List.of(sdk, answer));
        args.addAll(target);
        return McpTestPeers.runNodeClient(dir, "sdk-asked-client.mjs", args);
    }

    private static List<String> stdio(long answerTimeoutMs) {
        return List.of("stdio", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Danswer.timeout.ms=" + answerTimeoutMs, "-cp", System.getProperty("java.class.path"),
                AskingServerMain.class.getName());
    }

    /** {@link #stdio} with the server's tool served as a task-based tool. */
    private static List<String> stdioTasks(long answerTimeoutMs) {
        var target = new ArrayList<>(stdio(answerTimeoutMs));
        target.add(2, "-Dtasks=true");
        return target;
    }

    private static List<String> http(McpHttpServer server) {
        return List.of("http", server.url().toString());
    }

    private static void assertAnswered(JsonObject seen) {
        assertThat(seen.getString("text")).as("%s", seen).contains("Ada Lovelace");
        assertThat(seen.getBoolean("isError")).as("%s", seen).contains(false);
        assertThat(seen.getArray("asked").orElseThrow().items()).containsExactly(JsonValue.of(QUESTION));
        assertThat(seen.getString("echo")).contains("echo: still serving");
    }

    // ---- 2025 revisions: elicitation/create

    @Test
    void theV1ClientIsAskedOverStdioAndItsAnswerIsTheResult(@TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v1", "accept", stdio(600_000));
        assertThat(seen.getString("protocolVersion")).isNotEqualTo(java.util.Optional.of(MODERN));
        assertAnswered(seen);
    }

    @Test
    void theV1ClientIsAskedOverHttpAndItsAnswerIsTheResult(@TempDir Path dir) throws Exception {
        assertAnswered(client(dir, "v1", "accept", http(serve(false))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"decline", "cancel"})
    void aClientThatDeclinesGetsAnErrorResultSayingSo(String answer, @TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v1", answer, http(serve(false)));
        assertThat(seen.getBoolean("isError")).as("%s", seen).contains(true);
        assertThat(seen.getString("text").orElseThrow()).contains("declined").contains(QUESTION);
        assertThat(seen.getArray("asked").orElseThrow().items()).containsExactly(JsonValue.of(QUESTION));
        assertThat(seen.getString("echo")).contains("echo: still serving");
    }

    @Test
    void aClientWithoutElicitationIsNotAskedAndTheResultSaysTheQuestionCouldNotBeAsked(@TempDir Path dir)
            throws Exception {
        JsonObject seen = client(dir, "v1", "none", http(serve(false)));
        assertThat(seen.getBoolean("isError")).as("%s", seen).contains(true);
        assertThat(seen.getString("text").orElseThrow()).contains("could not be asked")
                .contains("did not declare the elicitation capability")
                .contains(QUESTION);
        assertThat(seen.getArray("asked").orElseThrow().items()).isEmpty();
    }

    @Test
    void aStatelessServerCannotAskIn2025AndSaysSo(@TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v1", "accept", http(serve(true)));
        assertThat(seen.getBoolean("isError")).as("%s", seen).contains(true);
        assertThat(seen.getString("text").orElseThrow()).contains("stateless HTTP server").contains(QUESTION);
        assertThat(seen.getArray("asked").orElseThrow().items()).isEmpty();
    }

    @Test
    void aClientThatNeverAnswersOverStdioHasTheCallEndedByTheAnswerTimeout(@TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v1", "never", stdio(1_000));
        assertThat(seen.getBoolean("isError")).as("%s", seen).contains(true);
        assertThat(seen.getString("text").orElseThrow()).contains("no answer came").contains(QUESTION);
        assertThat(seen.getString("echo")).contains("echo: still serving");
    }

    @Test
    void aClientThatNeverAnswersOverHttpHasTheCallEndedByTheAnswerTimeout(@TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v1", "never", http(serve(false, Duration.ofSeconds(1), Clock.systemUTC())));
        assertThat(seen.getBoolean("isError")).as("%s", seen).contains(true);
        assertThat(seen.getString("text").orElseThrow()).contains("no answer came").contains(QUESTION);
        assertThat(seen.getString("echo")).contains("echo: still serving");
    }

    // ---- 2026-07-28: input_required, answered on the retry

    @Test
    void theV2ClientAnswersOverStdio(@TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v2", "accept", stdio(600_000));
        assertThat(seen.getString("protocolVersion")).contains(MODERN);
        assertAnswered(seen);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theV2ClientAnswersOverHttp(boolean stateless, @TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v2", "accept", http(serve(stateless)));
        assertThat(seen.getString("protocolVersion")).contains(MODERN);
        assertAnswered(seen);
    }

    @Test
    void theV2ClientDeclinesAndGetsAnErrorResult(@TempDir Path dir) throws Exception {
        JsonObject seen = client(dir, "v2", "decline", http(serve(false)));
        assertThat(seen.getBoolean("isError")).as("%s", seen).contains(true);
        assertThat(seen.getString("text").orElseThrow()).contains("declined").contains(QUESTION);
    }

    @Test
    void ourClientAnswersWithItsElicitationHandler() {
        McpHttpServer server = serve(false);
        Queue<McpElicitationRequest> asked = new ConcurrentLinkedQueue<>();
        try (McpTools tools = answering(server, "Grace Hopper", asked)) {
            assertThat(tools.protocolVersion()).isEqualTo(MODERN);
            ToolResult result = McpTestPeers.call(tools, "ask", "{\"topic\":\"names\"}", Duration.ofSeconds(60));
            assertThat(result.isError()).as("%s", result).isFalse();
            assertThat(result.content()).isEqualTo("Grace Hopper");
            assertThat(asked).singleElement().satisfies(r -> {
                assertThat(r.message()).isEqualTo(QUESTION);
                assertThat(r.requestedSchema().getArray("required").orElseThrow().items())
                        .containsExactly(JsonValue.of("answer"));
            });
        }
    }

    @Test
    void ourClientWithoutElicitationGetsAnErrorSayingItWasNotDeclared() {
        McpHttpServer server = serve(false);
        try (McpTools tools = McpTools.builder("asking", McpTransportSpec.http(server.url().toString()))
                .connect()
                .block(Duration.ofSeconds(60))) {
            ToolResult result = McpTestPeers.call(tools, "ask", "{\"topic\":\"names\"}", Duration.ofSeconds(60));
            assertThat(result.isError()).as("%s", result).isTrue();
            assertThat(result.content()).contains("did not declare");
        }
    }

    @Test
    void aQuestionAfterWhichTheToolMustRunAgainIsNotAskedAndTheResultSaysWhy() {
        var ran = new java.util.concurrent.atomic.AtomicInteger();
        Tool book = Tool.builder("book")
                .description("Books a seat, asking which one")
                .handler((args, ctx) -> {
                    ran.incrementAndGet();
                    return Mono.just(ctx.answered().isPresent()
                            ? ToolResult.text("booked " + ctx.answered().get().text())
                            : ToolResult.inputRequired(new InputRequest("Which seat?", null, null)));
                })
                .build();
        McpHttpServer server = http.serve(McpServer.builder(List.of(book)).grants(Grants.none()).build(),
                McpHttpOptions.defaults());
        Queue<McpElicitationRequest> asked = new ConcurrentLinkedQueue<>();
        try (McpTools tools = answering(server, "12A", asked)) {
            ToolResult result = McpTestPeers.call(tools, "book", "{}", Duration.ofSeconds(60));
            // The client's answer never stands in for the booking: the model is told the question and why.
            assertThat(result.isError()).as("%s", result).isTrue();
            assertThat(result.content()).contains("must then run again")
                    .contains("Which seat?")
                    .doesNotContain("12A");
            assertThat(asked).isEmpty();
            assertThat(ran).hasValue(1);
        }
    }

    /** Our client of {@code server}, whose elicitation handler records each request and accepts {@code answer}. */
    private static McpTools answering(McpHttpServer server, String answer, Queue<McpElicitationRequest> asked) {
        return McpTools.builder("asking", McpTransportSpec.http(server.url().toString()))
                .elicitation(request -> {
                    asked.add(request);
                    return Mono.just(McpElicitationAnswer.accept(JsonObject.builder().put("answer", answer).build()));
                })
                .connect()
                .block(Duration.ofSeconds(60));
    }

    // ---- raw 2026-07-28 requests: what a hostile client sends

    private static String call(Object id, String tool, String arguments, String extra) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + (extra.isEmpty() ? "" : "," + extra)
                + ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}}}";
    }

    private JsonObject post(McpHttpServer server, String tool, String body) throws Exception {
        HttpResponse<String> response = http.send(McpHttpFixture.post(server, body, "MCP-Protocol-Version", MODERN,
                "Mcp-Method", "tools/call", "Mcp-Name", tool));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return McpHttpFixture.answer(response);
    }

    /** The input_required answer to a first call of ask about {@code topic}: its requestState. */
    private String asked(McpHttpServer server, String topic) throws Exception {
        JsonObject result = post(server, "ask", call(1, "ask", "{\"topic\":\"" + topic + "\"}", ""))
                .getObject("result")
                .orElseThrow();
        assertThat(result.getString("resultType")).as("%s", result).contains("input_required");
        JsonObject request = result.getObject("inputRequests").orElseThrow().getObject("question").orElseThrow();
        assertThat(request.getString("method")).contains("elicitation/create");
        assertThat(request.getObject("params").orElseThrow().getString("message"))
                .contains(AskingServerMain.question(topic));
        assertThat(result.has("content")).isFalse();
        return result.getString("requestState").orElseThrow();
    }

    private static String retry(String state, String response) {
        return "\"requestState\":\"" + state + "\",\"inputResponses\":{\"question\":" + response + "}";
    }

    private static final String ACCEPT = "{\"action\":\"accept\",\"content\":{\"answer\":\"Ada\"}}";

    private static void assertInvalid(JsonObject response, String message) {
        JsonObject error = response.getObject("error").orElseThrow(() -> new AssertionError("no error: " + response));
        assertThat(error.getLong("code")).as("%s", response).contains(-32602L);
        assertThat(error.getString("message").orElseThrow()).as("%s", response).contains(message);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theRetryWithTheStateAndAnAnswerIsAnsweredWithTheAnswer(boolean stateless) throws Exception {
        McpHttpServer server = serve(stateless);
        String state = asked(server, "names");
        JsonObject result = retriedAsk(server, 2, state, ACCEPT)
                .getObject("result")
                .orElseThrow();
        assertThat(result.getString("resultType")).contains("complete");
        assertThat(text(result)).isEqualTo("Ada");
        // the arguments' key order does not matter, and a declined answer is an error result
        JsonObject declined = post(server, "ask", call(3, "ask", "{ \"topic\" : \"names\" }",
                retry(state, "{\"action\":\"decline\"}"))).getObject("result").orElseThrow();
        assertThat(declined.getBoolean("isError")).contains(true);
        assertThat(text(declined)).contains("declined");
    }

    @Test
    void aForgedStateIsRefused() throws Exception {
        McpHttpServer server = serve(false);
        String state = asked(server, "names");
        int dot = state.indexOf('.');
        // claims of the client's own making, under the server's signature for other claims
        String claims = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        "{\"tool\":\"ask\",\"arguments\":\"x\",\"question\":\"q\",\"issued\":0}".getBytes());
        for (String forged : List.of(claims + state.substring(dot), state.substring(0, dot) + ".AAAA", "not-a-state",
                state.substring(0, dot) + ".%%%")) {
            assertInvalid(retriedAsk(server, 2, forged, ACCEPT),
                    "not one this server issued");
        }
        // nor does another server's state pass
        McpHttpServer other = serve(false);
        assertInvalid(retriedAsk(other, 2, state, ACCEPT),
                "not one this server issued");
    }

    /** Call {@code id} of {@code ask} on the topic "names" again, with {@code answer} to the question of {@code state}. */
    private JsonObject retriedAsk(McpHttpServer server, int id, String state, String answer)
            throws Exception {
        return post(server, "ask", call(id, "ask", "{\"topic\":\"names\"}", retry(state, answer)));
    }

    @Test
    void aStateReplayedIntoAnotherCallIsRefused() throws Exception {
        McpHttpServer server = serve(false);
        String state = asked(server, "names");
        assertInvalid(post(server, "ask", call(2, "ask", "{\"topic\":\"passwords\"}", retry(state, ACCEPT))),
                "issued for another call");
        assertInvalid(post(server, "echo", call(3, "echo", "{\"text\":\"hi\"}", retry(state, ACCEPT))),
                "issued for another call");
    }

    @Test
    void aStaleStateIsRefused() throws Exception {
        var clock = new McpServerTasksTest.TestClock();
        McpHttpServer server = serve(false, Duration.ofMinutes(5), clock);
        String state = asked(server, "names");
        clock.advance(Duration.ofMinutes(5).plusMillis(1));
        assertInvalid(retriedAsk(server, 2, state, ACCEPT),
                "expired");
    }

    @Test
    void answersOfTheWrongShapeAreRefused() throws Exception {
        McpHttpServer server = serve(false);
        String state = asked(server, "names");
        String names = "{\"topic\":\"names\"}";
        assertInvalid(retriedAsk(server, 2, state, "{\"action\":\"accept\",\"content\":{\"answer\":42}}"),
                "no string \"answer\"");
        assertInvalid(retriedAsk(server, 3, state, "{\"action\":\"accept\"}"),
                "no string \"answer\"");
        assertInvalid(retriedAsk(server, 4, state, "{\"action\":\"maybe\"}"),
                "not accept, decline or cancel");
        assertInvalid(retriedAsk(server, 5, state, "\"Ada\""), "no elicitation result");
        assertInvalid(post(server, "ask", call(6, "ask", names, "\"requestState\":\"" + state + "\"")),
                "\"inputResponses\"");
        assertInvalid(post(server, "ask", call(7, "ask", names, "\"inputResponses\":{\"question\":" + ACCEPT + "}")),
                "\"requestState\"");
        assertInvalid(post(server, "ask", call(8, "ask", names, "\"requestState\":7,\"inputResponses\":{}")),
                "\"requestState\"");
    }

    // ---- 2026-07-28 tasks: input_required, answered with tasks/update

    private McpHttpServer serveTasks(boolean stateless) {
        return http.serve(AskingServerMain.server(Duration.ofMinutes(10), Clock.systemUTC(), McpTaskOptions.optional()),
                McpHttpOptions.defaults().stateless(stateless));
    }

    private static JsonObject taskClient(Path dir, String answer, List<String> target) throws Exception {
        var args = new ArrayList<>(List.of(answer));
        args.addAll(target);
        return McpTestPeers.runNodeClient(dir, "sdk-v2-task-asked-client.mjs", args);
    }

    private static void assertTaskAnswered(JsonObject seen) {
        assertThat(seen.getString("kind")).as("%s", seen).contains("task");
        assertThat(seen.getString("status")).as("%s", seen).contains("completed");
        assertThat(seen.getString("text")).contains("Ada Lovelace");
        assertThat(seen.getBoolean("isError")).contains(false);
        assertThat(seen.getArray("asked").orElseThrow().items()).singleElement().satisfies(a -> {
            assertThat(a.asObject().getString("message")).contains(QUESTION);
            assertThat(a.asObject().getString("delivery")).contains("task-update");
        });
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theExtTasksClientAnswersATasksQuestionOverHttp(boolean stateless, @TempDir Path dir) throws Exception {
        assertTaskAnswered(taskClient(dir, "accept", http(serveTasks(stateless))));
    }

    @Test
    void theExtTasksClientAnswersATasksQuestionOverStdio(@TempDir Path dir) throws Exception {
        assertTaskAnswered(taskClient(dir, "accept", stdioTasks(600_000)));
    }

    @Test
    void theExtTasksClientDeclinesAndTheTaskEndsWithAnErrorResult(@TempDir Path dir) throws Exception {
        JsonObject seen = taskClient(dir, "decline", http(serveTasks(false)));
        assertThat(seen.getString("status")).as("%s", seen).contains("completed");
        assertThat(seen.getBoolean("isError")).contains(true);
        assertThat(seen.getString("text").orElseThrow()).contains("declined").contains(QUESTION);
    }

    private static final String DECLARING = "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{},"
            + "\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}";

    private JsonObject tasks(McpHttpServer server, Object id, String method, String params) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":{" + params
                + ",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"" + MODERN + "\"," + DECLARING + "}}}";
        HttpResponse<String> response = http.send(McpHttpFixture.post(server, body, "MCP-Protocol-Version", MODERN,
                "Mcp-Method", method));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return McpHttpFixture.answer(response);
    }

    /** Calls ask as a task and gets it once its tool has asked (the tool answers at once: a few polls at most). */
    private JsonObject askingTask(McpHttpServer server) throws Exception {
        JsonObject created = tasks(server, 1, "tools/call", "\"name\":\"ask\",\"arguments\":{\"topic\":\"names\"}")
                .getObject("result")
                .orElseThrow();
        assertThat(created.getString("resultType")).as("%s", created).contains("task");
        String id = created.getString("taskId").orElseThrow();
        JsonObject task;
        do {
            task = tasks(server, 2, "tasks/get", "\"taskId\":\"" + id + "\"").getObject("result").orElseThrow();
        } while (task.getString("status").orElseThrow().equals("working"));
        return task;
    }

    @Test
    void aTaskWaitsInputRequiredUntilAWellFormedAnswerComes() throws Exception {
        McpHttpServer server = serveTasks(true);
        JsonObject task = askingTask(server);
        String id = task.getString("taskId").orElseThrow();
        assertThat(task.getString("status")).as("%s", task).contains("input_required");
        JsonObject request = task.getObject("inputRequests").orElseThrow().getObject("question").orElseThrow();
        assertThat(request.getString("method")).contains("elicitation/create");
        assertThat(request.getObject("params").orElseThrow().getString("message")).contains(QUESTION);
        String taskId = "\"taskId\":\"" + id + "\"";

        assertInvalid(tasks(server, 3, "tasks/update", taskId
                + ",\"inputResponses\":{\"question\":{\"action\":\"accept\",\"content\":{\"answer\":1}}}"),
                "no string \"answer\"");
        // a response to nothing outstanding is acknowledged and ignored
        assertThat(tasks(server, 4, "tasks/update", taskId + ",\"inputResponses\":{\"other\":{\"action\":\"accept\"}}")
                .has("result")).isTrue();
        assertThat(tasks(server, 5, "tasks/get", taskId).getObject("result").orElseThrow().getString("status"))
                .contains("input_required");

        assertThat(tasks(server, 6, "tasks/update", taskId + ",\"inputResponses\":{\"question\":" + ACCEPT + "}")
                .has("result")).isTrue();
        JsonObject done = tasks(server, 7, "tasks/get", taskId).getObject("result").orElseThrow();
        assertThat(done.getString("status")).as("%s", done).contains("completed");
        assertThat(text(done.getObject("result").orElseThrow())).isEqualTo("Ada");
        assertThat(done.has("inputRequests")).isFalse();
        // answered once: a second answer changes nothing
        tasks(server, 8, "tasks/update", taskId + ",\"inputResponses\":{\"question\":{\"action\":\"decline\"}}");
        assertThat(text(tasks(server, 9, "tasks/get", taskId).getObject("result")
                .orElseThrow()
                .getObject("result")
                .orElseThrow())).isEqualTo("Ada");
    }

    @Test
    void aTaskWaitingForAnAnswerIsCancelled() throws Exception {
        McpHttpServer server = serveTasks(false);
        String taskId = "\"taskId\":\"" + askingTask(server).getString("taskId").orElseThrow() + "\"";
        assertThat(tasks(server, 3, "tasks/cancel", taskId).has("result")).isTrue();
        assertThat(tasks(server, 4, "tasks/get", taskId).getObject("result").orElseThrow().getString("status"))
                .contains("cancelled");
        assertThat(tasks(server, 5, "tasks/update", taskId + ",\"inputResponses\":{\"question\":" + ACCEPT + "}")
                .has("result")).isTrue();
        assertThat(tasks(server, 6, "tasks/get", taskId).getObject("result").orElseThrow().getString("status"))
                .contains("cancelled");
    }

    @Test
    void ourClientAnswersATasksQuestionWithTasksUpdate() {
        McpHttpServer server = serveTasks(false);
        Queue<McpElicitationRequest> asked = new ConcurrentLinkedQueue<>();
        try (McpTools tools = answering(server, "Grace Hopper", asked)) {
            ToolResult result = McpTestPeers.call(tools, "ask", "{\"topic\":\"names\"}", Duration.ofSeconds(60));
            assertThat(result.isError()).as("%s", result).isFalse();
            assertThat(result.content()).isEqualTo("Grace Hopper");
            assertThat(asked).singleElement().satisfies(r -> assertThat(r.message()).isEqualTo(QUESTION));
        }
    }

    @Test
    void ourClientWithoutElicitationRefusesATasksQuestionAndTheTaskIsCancelled() throws Exception {
        McpHttpServer server = serveTasks(false);
        try (McpTools tools = McpTools.builder("asking", McpTransportSpec.http(server.url().toString()))
                .connect()
                .block(Duration.ofSeconds(60))) {
            ToolResult result = McpTestPeers.call(tools, "ask", "{\"topic\":\"names\"}", Duration.ofSeconds(60));
            assertThat(result.isError()).as("%s", result).isTrue();
            assertThat(result.content()).contains("elicitation/create", "did not declare");
        }
    }

    // ---- 2025-11-25 tasks: input_required while the session's client is asked

    private static JsonObject v1TaskClient(Path dir, String answer, List<String> target) throws Exception {
        var args = new ArrayList<>(List.of(answer));
        args.addAll(target);
        return McpTestPeers.runNodeClient(dir, "sdk-task-asked-client.mjs", args);
    }

    private static void assertV1TaskAnswered(JsonObject seen) {
        assertThat(seen.getString("final")).as("%s", seen).contains("completed");
        assertThat(seen.getObject("result").orElseThrow().getString("text")).contains("Ada Lovelace");
        assertThat(seen.getObject("result").orElseThrow().getBoolean("isError")).contains(false);
        String taskId = seen.getString("taskId").orElseThrow();
        // the question came with the related-task _meta naming the task
        assertThat(seen.getArray("asked").orElseThrow().items()).singleElement().satisfies(a -> {
            assertThat(a.asObject().getString("message")).contains(QUESTION);
            assertThat(a.asObject().getString("relatedTask")).contains(taskId);
        });
        assertThat(seen.getString("echo")).contains("echo: still serving");
    }

    @Test
    void aV1TaskWhoseClientNeverAnswersFailsAtTheAnswerTimeout(@TempDir Path dir) throws Exception {
        JsonObject seen = v1TaskClient(dir, "never", stdioTasks(1_000));
        assertThat(seen.getString("final")).as("%s", seen).contains("failed");
        assertThat(seen.getObject("result").orElseThrow().getString("text").orElseThrow()).contains("no answer came")
                .contains(QUESTION);
        assertThat(seen.getString("echo")).contains("echo: still serving");
    }

    @Test
    void theV1ClientAnswersATasksQuestionOverStdio(@TempDir Path dir) throws Exception {
        assertV1TaskAnswered(v1TaskClient(dir, "accept", stdioTasks(600_000)));
    }

    @Test
    void theV1ClientAnswersATasksQuestionOverHttp(@TempDir Path dir) throws Exception {
        assertV1TaskAnswered(v1TaskClient(dir, "accept", http(serveTasks(false))));
    }

    @Test
    void aV1TaskWhoseQuestionIsDeclinedFails(@TempDir Path dir) throws Exception {
        JsonObject seen = v1TaskClient(dir, "decline", http(serveTasks(false)));
        assertThat(seen.getString("final")).as("%s", seen).contains("failed");
        assertThat(seen.getObject("result").orElseThrow().getString("text").orElseThrow()).contains("declined")
                .contains(QUESTION);
    }

    @Test
    void aV1TaskWhoseClientCannotBeAskedFailsSayingSo(@TempDir Path dir) throws Exception {
        JsonObject seen = v1TaskClient(dir, "none", http(serveTasks(false)));
        assertThat(seen.getString("final")).as("%s", seen).contains("failed");
        assertThat(seen.getObject("result").orElseThrow().getString("text").orElseThrow())
                .contains("could not be asked")
                .contains(QUESTION);
        assertThat(seen.getArray("asked").orElseThrow().items()).isEmpty();
        assertThat(seen.getArray("statuses").orElseThrow().items()).doesNotContain(JsonValue.of("input_required"));
    }
}
