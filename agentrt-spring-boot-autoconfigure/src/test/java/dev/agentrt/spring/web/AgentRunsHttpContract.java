package dev.agentrt.spring.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.run.AgentJson;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Decision;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What the endpoint does over real HTTP on 127.0.0.1, the same in each web stack: each subclass starts an application
 * on its stack with {@link TestAgentConfiguration}'s agent. Nothing waits on time: a run is held at a known point by
 * the {@code hold} tool's gate, and the tests wait only for what they are told (a stream's end, a count).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AgentRunsHttpContract {
    static final Duration WAIT = Duration.ofMinutes(1);
    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};

    ConfigurableApplicationContext context;
    int port;
    WebTestClient client;
    Agent agent;
    RunStore store;
    AgentRuns runs;
    TestAgentConfiguration.Gates gates;

    /** Starts the application on this stack, with these properties (a port 0 on 127.0.0.1 among them). */
    abstract ConfigurableApplicationContext start(String... properties);

    /** The base path the application is configured with. */
    abstract String path();

    @BeforeAll
    void startApplication(@TempDir Path dir) {
        context = start("server.address=127.0.0.1", "server.port=0", "agentrt.web.enabled=true",
                "agentrt.web.path=" + path(), "agentrt.web.heartbeat=100ms", "agentrt.web.poll-interval=20ms",
                "test.runs-db=" + dir.resolve("runs.db"));
        port = ((WebServerApplicationContext) context).getWebServer().getPort();
        client = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(WAIT).build();
        agent = context.getBean(Agent.class);
        store = context.getBean(RunStore.class);
        runs = context.getBean(AgentRuns.class);
        gates = context.getBean(TestAgentConfiguration.Gates.class);
    }

    @AfterAll
    void stopApplication() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void aRunWithAToolCallIsStartedAndStreamedToItsEnd() {
        EntityExchangeResult<String> created = post("{\"prompt\": \"invoice 17\"}").expectStatus()
                .isCreated()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(String.class)
                .returnResult();
        JsonObject body = JsonValue.parse(Objects.requireNonNull(created.getResponseBody())).asObject();
        String runId = body.getString("runId").orElseThrow();
        assertThat(body.getString("events")).contains(path() + "/runs/" + runId + "/events");
        assertThat(created.getResponseHeaders().getLocation()).isNotNull();
        assertThat(created.getResponseHeaders().getLocation().getPath()).isEqualTo(path() + "/runs/" + runId);

        List<ServerSentEvent<String>> streamed = events(runId, null, null).collectList().block(WAIT);

        List<RunEvent> journal = journal(runId);
        assertMatches(streamed, journal);
        assertThat(streamed).extracting(ServerSentEvent::event)
                .startsWith("started")
                .contains("tool_call_requested", "tool_call_completed")
                .endsWith("completed");
        var completed = (AgentEvent.Completed) AgentJson.readEvent(streamed.get(streamed.size() - 1).data());
        assertThat(completed.result().text()).isEqualTo("answer: found invoice 17");
        assertThat(completed.taskId()).isEqualTo(runId);

        // On the wire, as an EventSource reads it: a comment line first, then each event's id, kind and JSON.
        String raw = rawEvents(runId);
        assertThat(raw).startsWith(":keep-alive\n\n");
        assertThat(raw).contains("id:" + streamed.get(0).id() + "\nevent:started\ndata: {\"type\":\"started\","
                + "\"taskId\":\"" + runId + "\"");
        assertThat(raw).endsWith("\n\n");

        JsonObject run = getJson(path() + "/runs/" + runId);
        assertThat(run.getString("status")).contains("COMPLETED");
        assertThat(run.getString("outcome")).contains("COMPLETED");
        assertThat(run.getLong("lastSequence")).contains(store.find(runId).block(WAIT).lastSequence());
    }

    @Test
    void aClientThatReconnectsWithLastEventIdGetsExactlyTheEventsItHasNotSeen() {
        String key = UUID.randomUUID().toString();
        String runId = startHeld(key);
        TestAgentConfiguration.Gate gate = gates.gate(key);
        // The call's request is journaled before the tool runs, and the tool holds the run: the rest can only come
        // after the gate opens, to a client that has reconnected.
        List<ServerSentEvent<String>> first = events(runId, null, null)
                .takeUntil(e -> "tool_call_requested".equals(e.event()))
                .collectList()
                .block(WAIT);
        String lastSeen = first.get(first.size() - 1).id();

        Flux<ServerSentEvent<String>> rest = events(runId, lastSeen, null);
        gate.open("the ledger");
        List<ServerSentEvent<String>> second = rest.collectList().block(WAIT);

        List<ServerSentEvent<String>> all = new ArrayList<>(first);
        all.addAll(second);
        assertMatches(all, journal(runId));
        assertThat(second).extracting(ServerSentEvent::event).contains("tool_call_completed").endsWith("completed");

        // The same from the query parameter, and the header wins over it (an EventSource reconnects to the same URL).
        assertMatches(events(runId, null, lastSeen).collectList().block(WAIT), journal(runId).subList(first.size(),
                first.size() + second.size()));
        assertThat(events(runId, lastSeen, "0").collectList().block(WAIT)).extracting(ServerSentEvent::id)
                .containsExactlyElementsOf(second.stream().map(ServerSentEvent::id).toList());
        // After the last event, a reconnecting client gets nothing and the stream ends.
        assertThat(events(runId, all.get(all.size() - 1).id(), null).collectList().block(WAIT)).isEmpty();
        assertThat(events(runId, Long.toString(Long.MAX_VALUE), null).collectList().block(WAIT)).isEmpty();
    }

    @Test
    void aPausedRunsStreamEndsAndAClientReattachesAfterItIsApprovedAndResumed() {
        String runId = runId(post("{\"prompt\": \"pay invoice 3\"}"));
        List<ServerSentEvent<String>> first = events(runId, null, null).collectList().block(WAIT);
        assertThat(first).extracting(ServerSentEvent::event).contains("approval_requested").endsWith("completed");
        var paused = (AgentEvent.Completed) AgentJson.readEvent(first.get(first.size() - 1).data());
        assertThat(paused.result().outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        // Once the store says the run waits, it holds no lease: a person's decision can be recorded.
        agent.events(runId, 1, Duration.ofMillis(20)).blockLast(WAIT);
        assertThat(getJson(path() + "/runs/" + runId).getString("status")).contains("AWAITING_APPROVAL");

        String callId = agent.pending(runId).blockFirst(WAIT).call().id();
        agent.approve(runId, callId, Decision.approveOnce()).block(WAIT);
        agent.resume(runId).execute().block(WAIT);

        List<ServerSentEvent<String>> rest = events(runId, first.get(first.size() - 1).id(), null).collectList()
                .block(WAIT);
        List<RunEvent> journal = journal(runId);
        assertMatches(rest, journal.subList(first.size(), journal.size()));
        var completed = (AgentEvent.Completed) AgentJson.readEvent(rest.get(rest.size() - 1).data());
        assertThat(completed.result().outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(completed.result().text()).isEqualTo("answer: paid");
    }

    @Test
    void aClientThatGoesAwayStopsItsStreamButNotTheRun() {
        String key = UUID.randomUUID().toString();
        String runId = startHeld(key);
        TestAgentConfiguration.Gate gate = gates.gate(key);
        List<ServerSentEvent<String>> seen = events(runId, null, null)
                .takeUntil(e -> "tool_call_requested".equals(e.event()))
                .collectList()
                .block(WAIT);
        assertThat(seen).isNotEmpty();

        // The server notices the closed connection (WebFlux at once, MVC at its next heartbeat) and stops following.
        assertThat(runs.openStreams().filter(n -> n == 0).blockFirst(WAIT)).isZero();
        assertThat(store.find(runId).block(WAIT).status()).isEqualTo(RunStatus.RUNNING);

        gate.open("still here");
        RunEvent last = agent.events(runId, 1, Duration.ofMillis(20)).blockLast(WAIT);
        assertThat(last.event()).isInstanceOfSatisfying(AgentEvent.Completed.class,
                c -> assertThat(c.result().text()).isEqualTo("answer: still here"));
        assertThat(store.find(runId).block(WAIT).status()).isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aSessionIdMakesTheRunContinueThatConversation() {
        String session = "session-" + UUID.randomUUID();
        String first = runId(post("{\"prompt\": \"invoice 1\", \"sessionId\": \"" + session + "\"}"));
        agent.events(first, 1, Duration.ofMillis(20)).blockLast(WAIT);
        String second = runId(post("{\"prompt\": \"invoice 2\", \"sessionId\": \"" + session + "\"}"));
        agent.events(second, 1, Duration.ofMillis(20)).blockLast(WAIT);

        assertThat(store.session(session).map(RunRecord::id).collectList().block(WAIT)).containsExactly(first,
                second);
        assertThat(getJson(path() + "/runs/" + second).getString("sessionId")).contains(session);
    }

    @Test
    void aRunIsStartedForTheRequestsAuthenticatedUser() {
        String anonymous = runId(post("{\"prompt\": \"who\"}"));
        String alice = runId(client.post()
                .uri(path() + "/runs")
                .contentType(MediaType.APPLICATION_JSON)
                .header(TestUsers.HEADER, "alice")
                .bodyValue("{\"prompt\": \"who\"}")
                .exchange());
        assertThat(store.find(anonymous).block(WAIT).principal().id()).isEqualTo("anonymous");
        assertThat(store.find(alice).block(WAIT).principal().id()).isEqualTo("alice");
        agent.events(anonymous, 1, Duration.ofMillis(20)).blockLast(WAIT);
        agent.events(alice, 1, Duration.ofMillis(20)).blockLast(WAIT);
    }

    @Test
    void aBodyThatIsNotAPromptIsRefusedWithA400ThatSaysWhatToSendAndStartsNothing() {
        long before = store.runs().count().block(WAIT);
        assertProblem(client.post().uri(path() + "/runs").contentType(MediaType.APPLICATION_JSON).exchange(), 400,
                "no body");
        assertProblem(post("{\"prompt\": "), 400, "not valid JSON");
        assertProblem(post("[\"hello\"]"), 400, "must be a JSON object, was a JSON array");
        assertProblem(post("{\"promt\": \"hello\"}"), 400, "has no \"prompt\"");
        assertProblem(post("{\"prompt\": 17}"), 400, "\"prompt\" must be a string, was a JSON integer");
        assertProblem(post("{\"prompt\": \"   \"}"), 400, "\"prompt\" must not be blank");
        assertProblem(post("{\"prompt\": \"hi\", \"sessionId\": \"\"}"), 400, "\"sessionId\" must have 1 to 200");
        assertProblem(post("{\"prompt\": \"hi\", \"sessionId\": 5}"), 400, "\"sessionId\" must be a string");
        assertProblem(post("{\"prompt\": \"hi\", \"sessionId\": \"" + "s".repeat(201) + "\"}"), 400,
                "had 201");
        // A body of another type is refused by the framework (415) before it is read.
        client.post()
                .uri(path() + "/runs")
                .contentType(MediaType.TEXT_PLAIN)
                .bodyValue("{\"prompt\": \"hi\"}")
                .exchange()
                .expectStatus()
                .isEqualTo(415);
        assertThat(store.runs().count().block(WAIT)).isEqualTo(before);
        assertThat(runs.runningCount()).isZero();
    }

    @Test
    void anUnknownRunIsA404Problem() {
        assertProblem(client.get()
                .uri(path() + "/runs/run-nope/events")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange(), 404, "No run with id \"run-nope\"");
        assertProblem(client.get().uri(path() + "/runs/run-nope").exchange(), 404, "No run with id \"run-nope\"");
        String tooLong = "r".repeat(RunRecord.MAX_ID_LENGTH + 100);
        assertProblem(client.get().uri(path() + "/runs/{runId}/events", tooLong).exchange(), 404, "No run with id");
        assertProblem(client.get().uri(path() + "/runs/{runId}", "a b%c").exchange(), 404, "No run with id");
    }

    @Test
    void aLastEventIdThatIsNotASequenceNumberIsA400() {
        String runId = runId(post("{\"prompt\": \"invoice 9\"}"));
        assertProblem(eventsRequest(runId, "seven", null), 400, "Last-Event-ID header must be the id of the last "
                + "event received, a whole number of at least 0, was \"seven\"");
        assertProblem(eventsRequest(runId, "-1", null), 400, "was -1");
        assertProblem(eventsRequest(runId, "99999999999999999999", null), 400, "whole number");
        assertProblem(eventsRequest(runId, null, "x"), 400, "The query parameter \"from\" must be");
        assertProblem(eventsRequest(runId, null, "-3"), 400, "was -3");
        // The run was not disturbed.
        assertThat(agent.events(runId, 1, Duration.ofMillis(20)).blockLast(WAIT).event())
                .isInstanceOf(AgentEvent.Completed.class);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    /** Starts a run that the tool {@code hold} holds at the gate {@code key} until the test opens it. */
    private String startHeld(String key) {
        TestAgentConfiguration.Gate gate = gates.gate(key);
        String runId = runId(post("{\"prompt\": \"hold " + key + "\"}"));
        gate.entered.asMono().block(WAIT);
        return runId;
    }

    WebTestClient.ResponseSpec post(String json) {
        return client.post()
                .uri(path() + "/runs")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(json)
                .exchange();
    }

    static String runId(WebTestClient.ResponseSpec response) {
        String body = response.expectStatus().isCreated().expectBody(String.class).returnResult().getResponseBody();
        return JsonValue.parse(Objects.requireNonNull(body)).asObject().getString("runId").orElseThrow();
    }

    JsonObject getJson(String uri) {
        String body = client.get()
                .uri(uri)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return JsonValue.parse(Objects.requireNonNull(body)).asObject();
    }

    private WebTestClient.ResponseSpec eventsRequest(String runId, String lastEventId, String from) {
        return client.get().uri(b -> {
            b.path(path() + "/runs/{runId}/events");
            if (from != null) {
                b.queryParam("from", from);
            }
            return b.build(runId);
        }).accept(MediaType.TEXT_EVENT_STREAM).headers(h -> {
            if (lastEventId != null) {
                h.set("Last-Event-ID", lastEventId);
            }
        }).exchange();
    }

    /** A run's events as a client receives them (heartbeat comments left out); the response has arrived. */
    Flux<ServerSentEvent<String>> events(String runId, String lastEventId, String from) {
        FluxExchangeResult<ServerSentEvent<String>> result = eventsRequest(runId, lastEventId, from)
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(SSE);
        assertThat(result.getResponseHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(result.getResponseHeaders().getFirst("X-Accel-Buffering")).isEqualTo("no");
        return result.getResponseBody().filter(e -> e.event() != null);
    }

    /** A finished run's whole event stream, as the bytes on the wire say it. */
    private String rawEvents(String runId) {
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path()
                + "/runs/" + runId + "/events")).header("Accept", "text/event-stream").timeout(WAIT).build();
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return response.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private List<RunEvent> journal(String runId) {
        return agent.events(runId, 1, Duration.ofMillis(20)).collectList().block(WAIT);
    }

    /** Each streamed event is the journal's, in order: its sequence number, its kind and its JSON. */
    private static void assertMatches(List<ServerSentEvent<String>> streamed, List<RunEvent> journal) {
        assertThat(streamed).hasSameSizeAs(journal);
        for (int i = 0; i < journal.size(); i++) {
            ServerSentEvent<String> e = streamed.get(i);
            RunEvent expected = journal.get(i);
            assertThat(e.id()).isEqualTo(Long.toString(expected.sequence()));
            assertThat(AgentJson.readEvent(e.data())).isEqualTo(expected.event());
            assertThat(e.event()).isEqualTo(JsonValue.parse(e.data()).asObject().getString("type").orElseThrow());
        }
    }

    private static void assertProblem(WebTestClient.ResponseSpec response, int status, String detail) {
        String body = response.expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        JsonObject problem = JsonValue.parse(Objects.requireNonNull(body)).asObject();
        assertThat(problem.getLong("status")).contains((long) status);
        assertThat(problem.getString("detail")).hasValueSatisfying(d -> assertThat(d).contains(detail));
        assertThat(problem.getString("title")).isPresent();
    }

    static final class TestUsers {
        /** A request with this header is authenticated as the user it names (the tests' stand-in for security). */
        static final String HEADER = "X-Test-User";

        private TestUsers() {}
    }
}
