package dev.agentrt.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.run.RunStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reactive (WebFlux, Netty) application on 127.0.0.1 with Actuator, Spring Security and an agent whose payments
 * wait for a person: its health over HTTP with details, and an approval through the endpoint.
 */
class ActuatorOverHttpTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final AtomicInteger PAYMENTS = new AtomicInteger();
    static final Sinks.Many<AgentResult> ENDED = Sinks.many().replay().all();

    @TempDir
    static Path dir;

    static ConfigurableApplicationContext context;
    static String base;
    static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** The application: its agent and run store, two users, and a chain that authenticates by HTTP Basic. */
    @Configuration(proxyBeanMethods = false)
    // No database: the PostgreSQL driver and HikariCP are on the test class path for other parts' tests.
    @EnableAutoConfiguration(excludeName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
    static class App {
        @Bean(destroyMethod = "close")
        RunStore runStore() {
            return RunStore.open(dir.resolve("runs.db"));
        }

        @Bean
        Agent agent(RunStore store) {
            return Fixtures.agent(store, PAYMENTS, event -> {
                if (event instanceof AgentEvent.Completed c && c.result().outcome() == Outcome.COMPLETED) {
                    ENDED.tryEmitNext(c.result());
                }
            });
        }

        @Bean
        MapReactiveUserDetailsService users() {
            return new MapReactiveUserDetailsService(
                    User.withUsername("alice").password("{noop}alice-pass").roles("AGENTRT_APPROVER").build(),
                    User.withUsername("bob").password("{noop}bob-pass").roles("VIEWER").build());
        }

        /** Everything permitted: the endpoint's own rule is what guards it. */
        @Bean
        SecurityWebFilterChain chain(ServerHttpSecurity security) {
            return security.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
                    .httpBasic(Customizer.withDefaults())
                    .csrf(ServerHttpSecurity.CsrfSpec::disable)
                    .build();
        }
    }

    @BeforeAll
    static void start() {
        context = new SpringApplicationBuilder(App.class).web(WebApplicationType.REACTIVE)
                .properties("server.port=0", "server.address=127.0.0.1", "spring.main.banner-mode=off",
                        "management.endpoints.web.exposure.include=health," + AgentrtApprovalsEndpoint.ID,
                        "management.endpoint.health.show-details=always")
                .run();
        base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    record Answer(int status, String body) {
        JsonObject json() {
            return JsonValue.parse(body).asObject();
        }
    }

    static Answer send(HttpRequest.Builder request, String user) throws IOException, InterruptedException {
        if (user != null) {
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + user + "-pass").getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> response = http.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    static Answer get(String path, String user) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), user);
    }

    static Answer post(String path, String json, String user) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), user);
    }

    @Test
    void healthShowsTheModelAndTheRunStoreWithDetails() throws Exception {
        Answer health = get("/actuator/health", null);

        assertThat(health.status()).as(health.body()).isEqualTo(200);
        JsonObject components = health.json().getObject("components").orElseThrow();
        JsonObject model = components.getObject("agentrtModel").orElseThrow();
        assertThat(model.getString("status")).hasValue("UP");
        assertThat(model.getObject("details").orElseThrow().getString("model")).hasValue("ScriptedChatModel");
        JsonObject store = components.getObject("agentrtRunStore").orElseThrow();
        assertThat(store.getString("status")).hasValue("UP");
        assertThat(store.getObject("details").orElseThrow().getString("store")).hasValue("SqliteRunStore");
        assertThat(health.json().getString("status")).hasValue("UP");
    }

    @Test
    void aPausedRunIsListedAndApprovedByAUserWithTheRoleAndThenCompletes() throws Exception {
        Agent agent = context.getBean(Agent.class);
        AgentResult paused = agent.task("Pay invoice 17").withId("run-http").execute().block(WAIT);
        assertThat(paused.outcome()).isEqualTo(Outcome.AWAITING_APPROVAL);
        String path = "/actuator/" + AgentrtApprovalsEndpoint.ID;
        String decide = path + "/run-http/" + Fixtures.PAY.id();

        assertThat(get(path, null).status()).isEqualTo(401);
        assertThat(get(path, "bob").status()).isEqualTo(403);
        assertThat(post(decide, "{\"decision\":\"approve\"}", null).status()).isEqualTo(401);
        assertThat(post(decide, "{\"decision\":\"approve\"}", "bob").status()).isEqualTo(403);
        assertThat(agent.pending("run-http").collectList().block(WAIT)).as("nothing recorded").hasSize(1);

        Answer listing = get(path, "alice");
        assertThat(listing.status()).as(listing.body()).isEqualTo(200);
        JsonObject run = listing.json().getArray("runs").orElseThrow().get(0).asObject();
        assertThat(run.getString("runId")).hasValue("run-http");
        JsonObject call = run.getArray("calls").orElseThrow().get(0).asObject();
        assertThat(call.getString("callId")).hasValue(Fixtures.PAY.id());
        assertThat(call.getString("tool")).hasValue("pay");
        assertThat(call.getString("arguments").orElseThrow()).contains("ACME GmbH").doesNotContain("sk-live");
        assertThat(listing.body()).contains("payments:send");

        Answer missing = post(decide, "{}", "alice");
        assertThat(missing.status()).as(missing.body()).isEqualTo(400);
        Answer wrong = post(decide, "{\"decision\":\"perhaps\"}", "alice");
        assertThat(wrong.status()).as(wrong.body()).isEqualTo(400);
        Answer unknown = post(path + "/run-nope/" + Fixtures.PAY.id(), "{\"decision\":\"approve\"}", "alice");
        assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);

        Answer approved = post(decide, "{\"decision\":\"approve\"}", "alice");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        assertThat(approved.json().getBoolean("resumed")).hasValue(true);
        StepVerifier.create(ENDED.asFlux().next())
                .assertNext(result -> assertThat(result.text()).isEqualTo("Paid: transfer T-17"))
                .verifyComplete();
        assertThat(PAYMENTS).hasValue(1);

        Answer again = post(decide, "{\"decision\":\"approve\"}", "alice");
        assertThat(again.status()).as(again.body()).isEqualTo(400);
        assertThat(PAYMENTS).hasValue(1);
    }
}
