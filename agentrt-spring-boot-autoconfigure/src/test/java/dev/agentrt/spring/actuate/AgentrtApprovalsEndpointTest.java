package dev.agentrt.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.spring.actuate.AgentrtApprovalsEndpoint.AwaitingRun;
import dev.agentrt.spring.actuate.AgentrtApprovalsEndpoint.Decided;
import dev.agentrt.spring.actuate.AgentrtApprovalsEndpoint.Listing;
import dev.agentrt.spring.actuate.AgentrtApprovalsEndpoint.Problem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** The endpoint's operations called directly: who may call them, and a clear answer to every bad request. */
class AgentrtApprovalsEndpointTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    RunStore store;
    final AtomicInteger payments = new AtomicInteger();
    final Sinks.Many<AgentResult> ended = Sinks.many().replay().all();
    Agent agent;

    @BeforeEach
    void start() {
        store = RunStore.open(dir.resolve("runs.db"));
        agent = Fixtures.agent(store, payments, event -> {
            if (event instanceof AgentEvent.Completed c && c.result().outcome() == Outcome.COMPLETED) {
                ended.tryEmitNext(c.result());
            }
        });
    }

    final java.util.List<AgentrtApprovalsEndpoint> endpoints = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        endpoints.forEach(AgentrtApprovalsEndpoint::destroy); // as the context does: no resume outlives the test
        store.close();
    }

    AgentrtApprovalsEndpoint endpoint() {
        return endpoint(new AgentrtActuatorProperties.Approvals());
    }

    AgentrtApprovalsEndpoint endpoint(AgentrtActuatorProperties.Approvals properties) {
        var endpoint = new AgentrtApprovalsEndpoint(agent, properties);
        endpoints.add(endpoint);
        return endpoint;
    }

    static SecurityContext user(String name, String... roles) {
        Principal principal = () -> name;
        Set<String> held = Set.of(roles);
        return new SecurityContext() {
            @Override
            public Principal getPrincipal() {
                return principal;
            }

            @Override
            public boolean isUserInRole(String role) {
                return held.contains(role);
            }
        };
    }

    static final SecurityContext APPROVER = user("alice", "AGENTRT_APPROVER");

    AgentResult paused(String runId) {
        AgentResult result = agent.task("Pay invoice 17 with token=abcd1234secret").withId(runId).execute().block(WAIT);
        assertThat(result.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        return result;
    }

    static <T> T body(WebEndpointResponse<Object> response, int status, Class<T> type) {
        assertThat(response.getStatus()).as("status of %s", response.getBody()).isEqualTo(status);
        return type.cast(response.getBody());
    }

    @Test
    void theListingShowsEachWaitingCallWithItsArgumentsScrubbed() {
        paused("run-1");

        Listing listing = body(endpoint().awaiting(APPROVER).block(WAIT), 200, Listing.class);

        assertThat(listing.runs()).singleElement().satisfies(run -> {
            assertThat(run.runId()).isEqualTo("run-1");
            assertThat(run.agent()).isEqualTo(Fixtures.AGENT);
            assertThat(run.input()).isEqualTo("Pay invoice 17 with token=[REDACTED]");
            assertThat(run.calls()).singleElement().satisfies(call -> {
                assertThat(call.callId()).isEqualTo(Fixtures.PAY.id());
                assertThat(call.tool()).isEqualTo("pay");
                assertThat(call.arguments()).contains("\"invoice\":17", "ACME GmbH", "[REDACTED]")
                        .doesNotContain("sk-live-0123456789abcdefghij");
                assertThat(call.missing()).containsExactly("payments:send");
                assertThat(call.reason()).isEqualTo("payments wait for finance");
            });
        });
    }

    @Test
    void longArgumentsAreCutAndSaySo() {
        paused("run-1");
        var properties = new AgentrtActuatorProperties.Approvals();
        properties.setMaxArgumentChars(20);

        AwaitingRun run = body(endpoint(properties).awaiting(APPROVER).block(WAIT), 200, Listing.class).runs().get(0);

        assertThat(run.calls().get(0).arguments()).startsWith("{\"invoice\":17,\"amoun").endsWith(" more characters]");
    }

    @Test
    void approvingTheLastCallResumesTheRunToItsEnd() {
        paused("run-1");

        Decided decided = body(endpoint().decide(APPROVER, "run-1", Fixtures.PAY.id(), "approve", null).block(WAIT),
                200, Decided.class);

        assertThat(decided).isEqualTo(new Decided("run-1", Fixtures.PAY.id(), "APPROVE_ONCE", true));
        StepVerifier.create(ended.asFlux().next())
                .assertNext(result -> assertThat(result.text()).isEqualTo("Paid: transfer T-17"))
                .verifyComplete();
        assertThat(payments).hasValue(1);
        assertThat(body(endpoint().awaiting(APPROVER).block(WAIT), 200, Listing.class).runs()).isEmpty();
    }

    @Test
    void aDenialReachesTheModelWithItsReason() {
        paused("run-1");

        body(endpoint().decide(APPROVER, "run-1", Fixtures.PAY.id(), "deny", "over budget").block(WAIT), 200,
                Decided.class);

        StepVerifier.create(ended.asFlux().next())
                .assertNext(result -> assertThat(result.text()).startsWith("Not paid:").contains("over budget"))
                .verifyComplete();
        assertThat(payments).hasValue(0);
    }

    @Test
    void withResumeOffTheRunWaitsForTheApplication() {
        paused("run-1");
        var properties = new AgentrtActuatorProperties.Approvals();
        properties.setResume(false);

        Decided decided = body(endpoint(properties).decide(APPROVER, "run-1", Fixtures.PAY.id(), "approve-for-task",
                null).block(WAIT), 200, Decided.class);

        assertThat(decided.resumed()).isFalse();
        assertThat(decided.decision()).isEqualTo("APPROVE_FOR_TASK");
        assertThat(store.find("run-1").block(WAIT).status()).isEqualTo(RunStatus.AWAITING_APPROVAL);
        assertThat(agent.resume("run-1").execute().block(WAIT).text()).isEqualTo("Paid: transfer T-17");
    }

    @Test
    void withoutAPrincipalOrWithAnAnonymousOneTheAnswerIs401AndNothingIsRecorded() {
        paused("run-1");
        var anonymous = new AnonymousAuthenticationToken("key", "anonymousUser",
                AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS", "ROLE_AGENTRT_APPROVER"));
        SecurityContext anonymousContext = new SecurityContext() {
            @Override
            public Principal getPrincipal() {
                return anonymous;
            }

            @Override
            public boolean isUserInRole(String role) {
                return true;
            }
        };

        for (SecurityContext nobody : new SecurityContext[]{SecurityContext.NONE, anonymousContext}) {
            assertThat(body(endpoint().awaiting(nobody).block(WAIT), 401, Problem.class).error())
                    .contains("authentication required");
            body(endpoint().decide(nobody, "run-1", Fixtures.PAY.id(), "approve", null).block(WAIT), 401,
                    Problem.class);
        }
        assertThat(agent.pending("run-1").collectList().block(WAIT)).hasSize(1);
    }

    @Test
    void aPrincipalWithoutTheRoleGets403AndTheRoleIsConfigurable() {
        paused("run-1");
        var properties = new AgentrtActuatorProperties.Approvals();
        properties.setRole("FINANCE");

        assertThat(body(endpoint().awaiting(user("bob")).block(WAIT), 403, Problem.class).error())
                .contains("AGENTRT_APPROVER");
        body(endpoint().decide(user("bob"), "run-1", Fixtures.PAY.id(), "approve", null).block(WAIT), 403,
                Problem.class);
        body(endpoint(properties).awaiting(APPROVER).block(WAIT), 403, Problem.class);
        body(endpoint(properties).awaiting(user("carol", "FINANCE")).block(WAIT), 200, Listing.class);
        assertThat(agent.pending("run-1").collectList().block(WAIT)).hasSize(1);
    }

    @Test
    void anUnknownRunOrCallIs404() {
        paused("run-1");

        assertThat(body(endpoint().decide(APPROVER, "run-nope", "call-1", "approve", null).block(WAIT), 404,
                Problem.class).error()).contains("run-nope");
        assertThat(body(endpoint().decide(APPROVER, "run-1", "call-nope", "approve", null).block(WAIT), 404,
                Problem.class).error()).contains("call-nope");
        assertThat(agent.pending("run-1").collectList().block(WAIT)).hasSize(1);
    }

    @Test
    void aSecondDecisionForTheSameCallIs400() {
        paused("run-1");
        var properties = new AgentrtActuatorProperties.Approvals();
        properties.setResume(false);
        var endpoint = endpoint(properties);
        body(endpoint.decide(APPROVER, "run-1", Fixtures.PAY.id(), "deny", "no").block(WAIT), 200, Decided.class);

        assertThat(body(endpoint.decide(APPROVER, "run-1", Fixtures.PAY.id(), "approve", null).block(WAIT), 400,
                Problem.class).error()).contains("decided already (DENY)");
        assertThat(agent.resume("run-1").execute().block(WAIT).text()).startsWith("Not paid:");
        assertThat(payments).hasValue(0);
    }

    @Test
    void aDecidedRunWaitingForItsResumeIsNotListed() {
        paused("run-1");
        var properties = new AgentrtActuatorProperties.Approvals();
        properties.setResume(false);

        body(endpoint(properties).decide(APPROVER, "run-1", Fixtures.PAY.id(), "approve", null).block(WAIT), 200,
                Decided.class);

        assertThat(store.find("run-1").block(WAIT).status()).isEqualTo(RunStatus.AWAITING_APPROVAL);
        assertThat(body(endpoint().awaiting(APPROVER).block(WAIT), 200, Listing.class).runs()).isEmpty();
    }

    @Test
    void aRunThatNoLongerWaitsIs400() {
        paused("run-1");
        var properties = new AgentrtActuatorProperties.Approvals();
        properties.setResume(false);
        body(endpoint(properties).decide(APPROVER, "run-1", Fixtures.PAY.id(), "approve", null).block(WAIT), 200,
                Decided.class);
        agent.resume("run-1").execute().block(WAIT); // completes once the end is recorded

        assertThat(body(endpoint().decide(APPROVER, "run-1", Fixtures.PAY.id(), "approve", null).block(WAIT), 400,
                Problem.class).error()).contains("COMPLETED", "not awaiting approval");
        assertThat(payments).hasValue(1);
    }

    @Test
    void aDecisionThatIsNoneOfTheThreeIs400() {
        paused("run-1");

        assertThat(body(endpoint().decide(APPROVER, "run-1", Fixtures.PAY.id(), "maybe", null).block(WAIT), 400,
                Problem.class).error()).contains("approve, approve-for-task or deny", "'maybe'");
        assertThat(agent.pending("run-1").collectList().block(WAIT)).hasSize(1);
    }

    @Test
    void theRunOfAnotherAgentInTheSameStoreIsNeitherListedNorDecided() {
        Agent other = Agent.builder()
                .name("someone-else")
                .model(Fixtures.paymentModel())
                .tools(java.util.List.of(Fixtures.pay(payments)))
                .approvals(request -> reactor.core.publisher.Mono.just(dev.agentrt.core.security.Decision.defer()))
                .runStore(store)
                .build();
        other.task("Pay").withId("run-other").execute().block(WAIT);

        assertThat(body(endpoint().awaiting(APPROVER).block(WAIT), 200, Listing.class).runs()).isEmpty();
        assertThat(body(endpoint().decide(APPROVER, "run-other", Fixtures.PAY.id(), "approve", null).block(WAIT), 404,
                Problem.class).error()).contains("someone-else");
        assertThat(other.pending("run-other").collectList().block(WAIT)).hasSize(1);
    }

    @Test
    void anAgentWithoutARunStoreAnswers503() {
        var endpoint = new AgentrtApprovalsEndpoint(Agent.builder().model(Fixtures.paymentModel()).build(),
                new AgentrtActuatorProperties.Approvals());

        assertThat(body(endpoint.awaiting(APPROVER).block(WAIT), 503, Problem.class).error()).contains("run store");
        body(endpoint.decide(APPROVER, "run-1", "call-1", "approve", null).block(WAIT), 503, Problem.class);
    }

    @Test
    void badSettingsFailNamingTheProperty() {
        var properties = new AgentrtActuatorProperties.Approvals();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> properties.setRole("ROLE_X"))
                .hasMessageContaining("agentrt.actuator.approvals.role");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> properties.setRole(" "))
                .hasMessageContaining("agentrt.actuator.approvals.role");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> properties.setMaxArgumentChars(3))
                .hasMessageContaining("agentrt.actuator.approvals.max-argument-chars");
    }

    @Test
    void closingTheContextCancelsAResumeStillGoing() throws InterruptedException {
        // The resumed run's model never answers: the run keeps going until the endpoint is destroyed.
        var first = dev.agentrt.core.model.ScriptedChatModel.of(
                dev.agentrt.core.model.ScriptedChatModel.Reply.toolCalls(Fixtures.PAY));
        var askedAgain = new java.util.concurrent.CountDownLatch(1);
        var cancelled = new java.util.concurrent.CountDownLatch(1);
        var asked = new java.util.concurrent.atomic.AtomicBoolean();
        Agent slow = Agent.builder()
                .name(Fixtures.AGENT)
                .model(request -> asked.getAndSet(true)
                        ? reactor.core.publisher.Flux.<dev.agentrt.core.model.ChatEvent>never()
                                .doOnSubscribe(s -> askedAgain.countDown())
                                .doOnCancel(cancelled::countDown)
                        : first.stream(request))
                .tools(java.util.List.of(Fixtures.pay(payments)))
                .approvals(request -> reactor.core.publisher.Mono.just(dev.agentrt.core.security.Decision.defer()))
                .runStore(store)
                .build();
        assertThat(slow.task("Pay").withId("run-slow").execute().block(WAIT).outcome())
                .isEqualTo(Outcome.AWAITING_APPROVAL);
        var endpoint = new AgentrtApprovalsEndpoint(slow, new AgentrtActuatorProperties.Approvals());

        body(endpoint.decide(APPROVER, "run-slow", Fixtures.PAY.id(), "approve", null).block(WAIT), 200,
                Decided.class);
        assertThat(askedAgain.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the run resumed").isTrue();
        endpoint.destroy();

        assertThat(cancelled.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the model call cancelled").isTrue();
        assertThat(payments).hasValue(1);
    }
}
