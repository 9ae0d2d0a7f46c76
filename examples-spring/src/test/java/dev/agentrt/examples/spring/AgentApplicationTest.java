package dev.agentrt.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.ChatModel;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Sinks;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The example as a client sees it: the application started on a random port of 127.0.0.1, on its scripted model, with
 * its memory and run store under a temporary directory, and WebTestClient talking HTTP to it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AgentApplicationTest {
    @TempDir
    static Path dir;

    @DynamicPropertySource
    static void storesUnderATemporaryDirectory(DynamicPropertyRegistry registry) {
        registry.add("agentrt.memory.path", () -> dir.resolve("memory").toString());
        registry.add("agentrt.runs.path", () -> dir.resolve("runs.db").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    Agent agent;

    @Autowired
    ChatModel model;

    @Autowired
    OrderDesk desk;

    @Autowired
    MeterRegistry meters;

    WebTestClient client;

    @BeforeEach
    void client() {
        // A cap for a hung server only: the first task also loads the memory's embedding model.
        client = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofMinutes(2))
                .build();
    }

    record Answer(String runId, Outcome outcome, String answer, List<Waiting> waiting) {}

    record Waiting(String runId, String callId, String tool, String arguments, List<String> needs, String reason) {}

    private Answer ask(String question) {
        return client.post()
                .uri("/support/questions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", question))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Answer.class)
                .returnResult()
                .getResponseBody();
    }

    /** The starter's Actuator endpoint's listing: runs awaiting approval and their calls. */
    record Listing(List<AwaitingRun> runs) {}

    record AwaitingRun(String runId, String agent, String principal, String input, List<Call> calls) {}

    record Call(String callId, String tool, String arguments, List<String> missing, String reason) {}

    /** What a decision answers: whether it resumed the run (it does on the run's last open call). */
    record Decided(String runId, String callId, String decision, boolean resumed) {}

    /** The calls waiting for the approver, each as the question's answer lists it. */
    private List<Waiting> waiting() {
        Listing listing = client.get()
                .uri("/actuator/agentrtapprovals")
                .headers(h -> h.setBasicAuth("approver", "change-me"))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Listing.class)
                .returnResult()
                .getResponseBody();
        return listing.runs()
                .stream()
                .flatMap(run -> run.calls()
                        .stream()
                        .map(c -> new Waiting(run.runId(), c.callId(), c.tool(), c.arguments(), c.missing(),
                                c.reason())))
                .toList();
    }

    /** The approver decides through the starter's Actuator endpoint; the last decision resumes the run. */
    private WebTestClient.ResponseSpec decide(String runId, String callId, Map<String, Object> decision) {
        return client.post()
                .uri("/actuator/agentrtapprovals/{runId}/{callId}", runId, callId)
                .headers(h -> h.setBasicAuth("approver", "change-me"))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(decision)
                .exchange();
    }

    /** The result the run ends with once it is resumed (the listener bean below records it). */
    private static AgentResult ended(String runId) {
        return Results.ENDED.asFlux()
                .filter(r -> r.runId().equals(runId) && !r.outcome().isPaused())
                .next()
                .block(Duration.ofMinutes(2));
    }

    /** Every builder gets the application's listener beans: this one records how runs end. */
    @TestConfiguration
    static class Results {
        static final Sinks.Many<AgentResult> ENDED = Sinks.many().replay().all();

        @Bean
        AgentEvent.Listener endedRuns() {
            return event -> {
                if (event instanceof AgentEvent.Completed c) {
                    ENDED.tryEmitNext(c.result());
                }
            };
        }
    }

    @Test
    void withoutAgentrtModelTheAgentRunsOnTheScriptedModelWithTheConfiguredMemoryAndRunStore() {
        assertThat(model.getClass().getSimpleName()).isEqualTo("ScriptedChatModel");
        assertThat(agent.model()).isSameAs(model);
        assertThat(agent.memory()).isNotNull();
        assertThat(agent.runStore()).isNotNull();
        assertThat(dir.resolve("runs.db")).exists();
        assertThat(dir.resolve("memory")).isDirectory();
    }

    @Test
    void aQuestionAboutAnOrderIsAnsweredFromTheGrantedLookUp() {
        Answer answer = ask("Where is order A-1002?");

        assertThat(answer.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(answer.answer()).isEqualTo("Order A-1002 (coffee grinder for Alan Turing) is shipped.");
        assertThat(answer.waiting()).isEmpty();
        assertThat(answer.runId()).isNotBlank();
        // Actuator's Micrometer registry has the agent's metrics (the application has no OpenTelemetry).
        assertThat(meters.get("gen_ai.client.operation.duration")
                .tags("gen_ai.operation.name", "execute_tool", "gen_ai.tool.name", "order")
                .timer()
                .count()).isPositive();
    }

    @Test
    void aRefundWaitsForAPersonAndIsMadeOnceAfterApproval() {
        Answer paused = ask("Order A-1001 arrived broken, please refund it.");

        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        assertThat(paused.waiting()).singleElement().satisfies(call -> {
            assertThat(call.runId()).isEqualTo(paused.runId());
            assertThat(call.tool()).isEqualTo("refund");
            assertThat(call.arguments()).contains("\"orderId\":\"A-1001\"");
            assertThat(call.needs()).containsExactly("payments:refund");
        });
        assertThat(desk.refunded("A-1001")).isFalse();
        Waiting call = paused.waiting().get(0);
        assertThat(waiting()).contains(call);

        Decided decided = decide(paused.runId(), call.callId(), Map.of("decision", "approve")).expectStatus()
                .isOk()
                .expectBody(Decided.class)
                .returnResult()
                .getResponseBody();
        assertThat(decided).isEqualTo(new Decided(paused.runId(), call.callId(), "APPROVE_ONCE", true));
        AgentResult done = ended(paused.runId());

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.text()).isEqualTo("Done: refunded 24900 cents to Ada Lovelace for order A-1001 (the customer"
                + " asked for a refund). Our policy: refunds reach the customer's card within 5 business days.");
        assertThat(desk.refunded("A-1001")).isTrue();
        assertThat(waiting()).doesNotContain(call);

        // The decision is taken once: a second one is refused and nothing is refunded again.
        decide(paused.runId(), call.callId(), Map.of("decision", "approve")).expectStatus().isBadRequest();
        assertThat(ask("Where is order A-1001?").answer()).isEqualTo(
                "Order A-1001 (espresso machine for Ada Lovelace) is refunded.");
    }

    @Test
    void aDeniedRefundIsNotMadeAndTheAnswerSaysWhy() {
        Answer paused = ask("Please refund order A-1002.");
        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        Waiting call = paused.waiting().get(0);

        decide(paused.runId(), call.callId(), Map.of("decision", "deny", "reason", "not returned yet"))
                .expectStatus()
                .isOk();
        AgentResult done = ended(paused.runId());

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.text()).startsWith("Nothing was done for order A-1002: ").contains("not returned yet");
        assertThat(desk.refunded("A-1002")).isFalse();
        assertThat(waiting()).doesNotContain(call);
    }

    @Test
    void aQuestionWithoutAnOrderNumberIsAnsweredWithoutATool() {
        Answer answer = ask("Where is my order?");

        assertThat(answer.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(answer.answer()).isEqualTo("Which order is it about? Order numbers look like A-1001.");
    }

    @Test
    void aBlankQuestionIsABadRequestNamingWhatIsMissing() {
        client.post()
                .uri("/support/questions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", " "))
                .exchange()
                .expectStatus()
                .isBadRequest();
        client.post()
                .uri("/support/questions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of())
                .exchange()
                .expectStatus()
                .isBadRequest();
    }

    @Test
    void aDecisionForAnUnknownRunOrCallIsRefusedAndChangesNothing() {
        decide("no-such-run", "call-refund-A-1001", Map.of("decision", "approve")).expectStatus().isNotFound();

        Answer paused = ask("Order A-1003 is late, refund it.");
        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        decide(paused.runId(), "no-such-call", Map.of("decision", "approve")).expectStatus().isNotFound();
        decide(paused.runId(), paused.waiting().get(0).callId(), Map.of("decision", "maybe")).expectStatus()
                .isBadRequest();

        assertThat(waiting()).contains(paused.waiting().get(0));
        assertThat(desk.refunded("A-1003")).isFalse();
    }

    @Test
    void onlyTheApproverSeesOrDecidesWhatWaits() {
        Answer paused = ask("Order A-1002 never came, refund it.");
        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        Waiting call = paused.waiting().get(0);

        client.get().uri("/actuator/agentrtapprovals").exchange().expectStatus().isUnauthorized();
        client.post()
                .uri("/actuator/agentrtapprovals/{runId}/{callId}", call.runId(), call.callId())
                .headers(h -> h.setBasicAuth("approver", "a guess"))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("decision", "approve"))
                .exchange()
                .expectStatus()
                .isUnauthorized();

        assertThat(waiting()).contains(call);
        assertThat(desk.refunded("A-1002")).isFalse();
    }

    @Test
    void healthIsUp() {
        Map<?, ?> health = client.get()
                .uri("/actuator/health")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(Map.class)
                .returnResult()
                .getResponseBody();

        assertThat(health.get("status")).isEqualTo("UP");
        assertThat(((Map<?, ?>) health.get("components")).keySet()).map(Object::toString)
                .contains("agentrtModel", "agentrtMemory", "agentrtRunStore");
    }
}
