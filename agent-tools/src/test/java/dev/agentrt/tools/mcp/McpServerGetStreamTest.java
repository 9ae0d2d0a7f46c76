package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code GET} stream of agentrt's streamable HTTP MCP server, spoken to with raw HTTP: a session's
 * stream of what the server sends outside the answer to a request, with event ids, one at a time (a new
 * {@code GET} replaces the open one), and resumed after {@code Last-Event-ID}. What the server sends there here is the SDK's {@code roots/list}
 * request, which it makes when the client says its roots changed. The timeouts are hang guards only:
 * every wait is for a line the server writes.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerGetStreamTest {
    private static final String SSE = "text/event-stream";

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    @Test
    void theStreamCarriesTheServersRequestsWithIdsAndAResumingClientGetsWhatItMissed() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String session = open(server);
        Events first = get(server, session, null);
        assertThat(first.response.statusCode()).isEqualTo(200);
        assertThat(first.response.headers().firstValue("Content-Type")).contains(SSE);

        assertThat(post(server, rootsChanged(), session).statusCode()).isEqualTo(202);
        Event one = first.next();
        assertThat(one.id()).isEqualTo("1");
        assertThat(one.message().getString("method")).contains("roots/list");
        // One stream per session: a second GET (a client reconnecting before the server noticed its old
        // connection gone, say) takes it over, and the first ends.
        Events second = get(server, session, null);
        assertThat(second.response.statusCode()).isEqualTo(200);
        assertThat(first.next()).as("the replaced stream ends").isNull();
        assertThat(post(server, answer(one.message()), session).statusCode()).isEqualTo(202);

        // The client loses its stream; what the server sends meanwhile is kept and replayed after event 1.
        second.close();
        first.close();
        assertThat(post(server, rootsChanged(), session).statusCode()).isEqualTo(202);
        Events resumed = get(server, session, "1");
        assertThat(resumed.response.statusCode()).isEqualTo(200);
        Event two = resumed.next();
        assertThat(two.id()).isEqualTo("2");
        assertThat(two.message().getString("method")).contains("roots/list");
        assertThat(two.message().get("id")).isNotEqualTo(one.message().get("id"));

        // Ids that are not events of this stream are refused, and the open stream goes on.
        assertThat(errorMessage(send(getRequest(server, session, "abc", SSE)), 400))
                .contains("Last-Event-ID abc is not an event");
        assertThat(errorMessage(send(getRequest(server, session, "99", SSE)), 400))
                .contains("Last-Event-ID 99 is not an event");

        // Resuming again (the client's old connection may not be noticed as gone) replaces the open stream.
        Events again = get(server, session, "1");
        assertThat(resumed.next()).as("the replaced stream ends").isNull();
        assertThat(again.next()).isEqualTo(two);
        assertThat(post(server, answer(two.message()), session).statusCode()).isEqualTo(202);

        // Ending the session ends its stream; the session is gone for GET too.
        HttpResponse<String> deleted = send(HttpRequest.newBuilder(server.url())
                .header("Mcp-Session-Id", session)
                .DELETE());
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(again.next()).isNull();
        assertThat(errorMessage(send(getRequest(server, session, null, SSE)), 404)).contains("Session not found");
    }

    @Test
    void theLast256EventsAreKeptForResumptionAndAnOlderIdIsRefused() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        String session = open(server);
        Event one;
        try (Events first = get(server, session, null)) {
            assertThat(post(server, rootsChanged(), session).statusCode()).isEqualTo(202);
            one = first.next();
            assertThat(one.id()).isEqualTo("1");
            assertThat(post(server, answer(one.message()), session).statusCode()).isEqualTo(202);
        }
        // 257 more events while the client is away: the session keeps the last 256, events 3 to 258.
        for (int i = 0; i < 257; i++) {
            assertThat(post(server, rootsChanged(), session).statusCode()).isEqualTo(202);
        }
        assertThat(errorMessage(send(getRequest(server, session, "1", SSE)), 400))
                .contains("the events after 1 are no longer kept (only the last 256 are)");
        Events resumed = get(server, session, "2");
        assertThat(resumed.response.statusCode()).isEqualTo(200);
        for (int id = 3; id <= 258; id++) {
            Event e = resumed.next();
            assertThat(e.id()).isEqualTo(Integer.toString(id));
            assertThat(e.message().getString("method")).contains("roots/list");
            assertThat(post(server, answer(e.message()), session).statusCode()).isEqualTo(202);
        }
        // Event 2's roots/list stays unanswered: closing the server ends it with the session.
    }

    @Test
    void aGetIsRefusedWithoutAKnownSessionOrAnEventStreamInAccept() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults());
        McpHttpServer other = serve(McpHttpOptions.defaults());
        String session = open(server);
        String foreign = open(other);
        assertThat(errorMessage(send(getRequest(server, null, null, SSE)), 400)).contains("Mcp-Session-Id");
        assertThat(errorMessage(send(getRequest(server, "no-such-session", null, SSE)), 404))
                .contains("Session not found");
        assertThat(errorMessage(send(getRequest(server, foreign, null, SSE)), 404)).contains("Session not found");
        assertThat(errorMessage(send(getRequest(server, session, null, "application/json")), 406))
                .contains("text/event-stream");
        assertThat(errorMessage(send(getRequest(server, session, null, null)), 406)).contains("text/event-stream");
        HttpResponse<String> version = send(getRequest(server, session, null, SSE).setHeader("MCP-Protocol-Version",
                "2024-01-01"));
        assertThat(errorMessage(version, 400)).contains("unsupported MCP-Protocol-Version");
        // None of those took the session's one stream.
        Events events = get(server, session, null);
        assertThat(events.response.statusCode()).isEqualTo(200);
        assertThat(post(server, rootsChanged(), session).statusCode()).isEqualTo(202);
        Event one = events.next();
        assertThat(one.id()).isEqualTo("1");
        assertThat(post(server, answer(one.message()), session).statusCode()).isEqualTo(202);
        // Closing the server ends the open stream.
        server.close();
        assertThat(events.next()).isNull();
    }

    @Test
    void aStatelessServerHasNoGetStream() throws Exception {
        McpHttpServer server = serve(McpHttpOptions.defaults().stateless(true));
        HttpResponse<String> get = send(getRequest(server, null, null, SSE));
        assertThat(errorMessage(get, 405)).contains("stateless");
        assertThat(get.headers().firstValue("Allow")).contains("POST");
    }

    // ---- helpers

    private record Event(String id, JsonObject message) {}

    /** An open GET stream, read event by event. */
    private static final class Events implements AutoCloseable {
        final HttpResponse<Stream<String>> response;
        private final Iterator<String> lines;

        Events(HttpResponse<Stream<String>> response) {
            this.response = response;
            this.lines = response.body().iterator();
        }

        /** The next event, or null once the stream has ended. */
        @Nullable
        Event next() {
            String id = null;
            var data = new StringBuilder();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        return new Event(id, JsonValue.parse(data.toString()).asObject());
                    }
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            return null;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    private McpHttpServer serve(McpHttpOptions options) {
        return http.serve(McpServer.builder(ProgressServerMain.tools()).name("get-stream").build(), options);
    }

    private Events get(McpHttpServer server, String session, @Nullable String lastEventId) throws Exception {
        return new Events(http.client()
                .send(getRequest(server, session, lastEventId, SSE).build(),
                        HttpResponse.BodyHandlers.ofLines()));
    }

    private static HttpRequest.Builder getRequest(McpHttpServer server, @Nullable String session,
            @Nullable String lastEventId, @Nullable String accept) {
        var b = HttpRequest.newBuilder(server.url()).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (session != null) {
            b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-06-18");
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request);
    }

    private HttpResponse<String> post(McpHttpServer server, String body, String session) throws Exception {
        return send(McpHttpFixture.post(server, body, McpHttpFixture.inSession(session)));
    }

    /** Initializes a session of a client with the roots capability; returns its id. */
    private String open(McpHttpServer server) throws Exception {
        return http.initialize(server, "{\"roots\":{\"listChanged\":true}}").id();
    }

    private static String rootsChanged() {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/roots/list_changed\"}";
    }

    /** The client's answer to the server's roots/list request. */
    private static String answer(JsonObject request) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + request.get("id").toJson() + ",\"result\":{\"roots\":[]}}";
    }

    private static String errorMessage(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return errorMessage(response);
    }

    private static String errorMessage(HttpResponse<String> response) {
        return JsonValue.parse(response.body())
                .asObject()
                .getObject("error")
                .orElseThrow()
                .getString("message")
                .orElseThrow();
    }
}
