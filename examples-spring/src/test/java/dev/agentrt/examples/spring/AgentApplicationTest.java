package dev.agentrt.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.ChatModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

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

    private List<Waiting> waiting() {
        return client.get()
                .uri("/support/approvals")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBodyList(Waiting.class)
                .returnResult()
                .getResponseBody();
    }

    private WebTestClient.ResponseSpec decide(String runId, String callId, Map<String, Object> verdict) {
        return client.post()
                .uri("/support/approvals/{runId}/{callId}", runId, callId)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(verdict)
                .exchange();
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

        Answer done = decide(paused.runId(), call.callId(), Map.of("approve", true))
                .expectStatus()
                .isOk()
                .expectBody(Answer.class)
                .returnResult()
                .getResponseBody();

        assertThat(done.runId()).isEqualTo(paused.runId());
        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.answer()).isEqualTo("Done: refunded 24900 cents to Ada Lovelace for order A-1001 (the customer"
                + " asked for a refund). Our policy: refunds reach the customer's card within 5 business days.");
        assertThat(desk.refunded("A-1001")).isTrue();
        assertThat(waiting()).doesNotContain(call);

        // The decision is taken once: a second one is refused and nothing is refunded again.
        decide(paused.runId(), call.callId(), Map.of("approve", true)).expectStatus().isEqualTo(HttpStatus.CONFLICT);
        assertThat(ask("Where is order A-1001?").answer()).isEqualTo(
                "Order A-1001 (espresso machine for Ada Lovelace) is refunded.");
    }

    @Test
    void aDeniedRefundIsNotMadeAndTheAnswerSaysWhy() {
        Answer paused = ask("Please refund order A-1002.");
        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        Waiting call = paused.waiting().get(0);

        Answer done = decide(paused.runId(), call.callId(), Map.of("approve", false, "reason", "not returned yet"))
                .expectStatus()
                .isOk()
                .expectBody(Answer.class)
                .returnResult()
                .getResponseBody();

        assertThat(done.outcome()).isEqualTo(Outcome.COMPLETED);
        assertThat(done.answer()).startsWith("Nothing was done for order A-1002: ").contains("not returned yet");
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
        decide("no-such-run", "call-refund-A-1001", Map.of("approve", true)).expectStatus().isNotFound();

        Answer paused = ask("Order A-1003 is late, refund it.");
        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        decide(paused.runId(), "no-such-call", Map.of("approve", true)).expectStatus().isEqualTo(HttpStatus.CONFLICT);

        assertThat(waiting()).contains(paused.waiting().get(0));
        assertThat(desk.refunded("A-1003")).isFalse();
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
    }
}
