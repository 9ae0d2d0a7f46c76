package dev.agentrt.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.run.AgentJson;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The starter's event stream in the example ({@code agentrt.web.enabled=true}): a client starts a run over HTTP,
 * follows its events as server-sent events, drops the connection part-way and reattaches with {@code Last-Event-ID}
 * (as a browser's {@code EventSource} does), missing and repeating nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RunEventsStreamTest {
    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};

    @TempDir
    static Path dir;

    @DynamicPropertySource
    static void storesUnderATemporaryDirectory(DynamicPropertyRegistry registry) {
        registry.add("agentrt.memory.path", () -> dir.resolve("memory").toString());
        registry.add("agentrt.runs.path", () -> dir.resolve("runs.db").toString());
    }

    @LocalServerPort
    int port;

    WebTestClient client;

    @BeforeEach
    void client() {
        client = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofMinutes(2))
                .build();
    }

    record Started(String runId, String events) {}

    private Started start(String prompt) {
        return client.post()
                .uri("/agentrt/runs")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("prompt", prompt))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(Started.class)
                .returnResult()
                .getResponseBody();
    }

    /** The stream's events (heartbeat comments left out), the first {@code limit} of them, then disconnects. */
    private List<ServerSentEvent<String>> follow(String events, String lastEventId, int limit) {
        WebTestClient.RequestHeadersSpec<?> get = client.get().uri(events).accept(MediaType.TEXT_EVENT_STREAM);
        if (lastEventId != null) {
            get = get.header("Last-Event-ID", lastEventId);
        }
        return get.exchange()
                .expectStatus()
                .isOk()
                .returnResult(SSE)
                .getResponseBody()
                .filter(e -> e.event() != null)
                .take(limit)
                .collectList()
                .block(Duration.ofMinutes(2));
    }

    @Test
    void aClientThatDropsTheStreamReattachesWithLastEventIdAndMissesNothing() {
        Started run = start("Where is order A-1002?");
        assertThat(run.events()).isEqualTo("/agentrt/runs/" + run.runId() + "/events");

        List<ServerSentEvent<String>> whole = follow(run.events(), null, Integer.MAX_VALUE);
        assertThat(whole.get(0).event()).isEqualTo("started");
        assertThat(whole.get(whole.size() - 1).event()).isEqualTo("completed");
        AgentEvent last = AgentJson.readEvent(whole.get(whole.size() - 1).data());
        assertThat(last).isInstanceOfSatisfying(AgentEvent.Completed.class,
                c -> assertThat(c.result().text())
                        .isEqualTo("Order A-1002 (coffee grinder for Alan Turing) is shipped."));
        assertThat(whole).extracting(ServerSentEvent::event).contains("tool_call_requested", "tool_call_completed");
        List<Long> ids = whole.stream().map(e -> Long.parseLong(e.id())).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();

        // Three events in, the connection drops; the client reconnects with the last id it saw.
        List<ServerSentEvent<String>> before = follow(run.events(), null, 3);
        List<ServerSentEvent<String>> after = follow(run.events(), before.get(2).id(), Integer.MAX_VALUE);

        List<ServerSentEvent<String>> joined = new ArrayList<>(before);
        joined.addAll(after);
        assertThat(joined).extracting(ServerSentEvent::id)
                .containsExactlyElementsOf(whole.stream()
                        .map(ServerSentEvent::id)
                        .toList());
        assertThat(joined).extracting(ServerSentEvent::data)
                .containsExactlyElementsOf(whole.stream()
                        .map(ServerSentEvent::data)
                        .toList());
    }

    @Test
    void anUnknownRunOrABadLastEventIdIsAProblemAndStartsNothing() {
        client.get()
                .uri("/agentrt/runs/run-unknown/events")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.NOT_FOUND);
        Started run = start("Where is order A-1002?");
        client.get()
                .uri(run.events())
                .accept(MediaType.TEXT_EVENT_STREAM)
                .header("Last-Event-ID", "yesterday")
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.BAD_REQUEST);
        client.post()
                .uri("/agentrt/runs")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("question", "no prompt"))
                .exchange()
                .expectStatus()
                .isEqualTo(HttpStatus.BAD_REQUEST);
    }
}
