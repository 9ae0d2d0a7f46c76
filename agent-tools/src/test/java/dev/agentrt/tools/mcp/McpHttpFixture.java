package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests of agentrt's streamable HTTP MCP server share: the servers a test serves, one {@link HttpClient}
 * for raw requests, the raw {@code initialize} of a session, and after each test the servers and the client closed
 * and the check that nothing is left running (the server's and the client's threads, and processes). Registered
 * with {@code @RegisterExtension final McpHttpFixture http = new McpHttpFixture();}. Every server binds 127.0.0.1.
 */
final class McpHttpFixture implements BeforeEachCallback, AfterEachCallback {
    static final String JSON = "application/json";
    static final String BOTH = "application/json, text/event-stream";
    /** The protocol revision of the raw sessions. */
    static final String VERSION = "2025-06-18";

    private final List<McpHttpServer> servers = new ArrayList<>();
    private Leaks leaks;
    private HttpClient client;

    @Override
    public void beforeEach(ExtensionContext context) {
        leaks = new Leaks();
        client = HttpClient.newHttpClient();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        servers.forEach(McpHttpServer::close);
        client.close();
        leaks.assertNoThreadsLeft("HTTP-Dispatcher", "idle-timeout-task", "agentrt-mcp-", "HttpClient-");
        leaks.assertNoProcessesLeft();
    }

    /** Serves {@code server} over HTTP until the test ends. */
    McpHttpServer serve(McpServer server, McpHttpOptions options) {
        McpHttpServer http = server.serveHttp(options);
        servers.add(http);
        return http;
    }

    /** The client the raw requests go by, closed after the test. */
    HttpClient client() {
        return client;
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON-RPC message posted as a client that accepts JSON and event streams, with {@code headers}. */
    static HttpRequest.Builder post(McpHttpServer server, String body, String... headers) {
        var b = HttpRequest.newBuilder(server.url())
                .header("Content-Type", JSON)
                .header("Accept", BOTH)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return headers.length == 0 ? b : b.headers(headers);
    }

    /**
     * The JSON-RPC answer in a response: its JSON body, or the event of an event stream that answers a request (a
     * tool call is answered as a stream when the client takes one, so that closing it cancels the call).
     */
    static JsonObject answer(HttpResponse<String> response) {
        if (response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            return response.body()
                    .lines()
                    .filter(line -> line.startsWith("data:"))
                    .map(line -> JsonValue.parse(line.substring("data:".length())).asObject())
                    .filter(m -> m.has("id"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no answer in the event stream: " + response.body()));
        }
        return JsonValue.parse(response.body()).asObject();
    }

    /** {@code headers} and those of a request in {@code session}: its id and the protocol version. */
    static String[] inSession(String session, String... headers) {
        var all = new ArrayList<>(List.of(headers));
        all.addAll(List.of("Mcp-Session-Id", session, "MCP-Protocol-Version", VERSION));
        return all.toArray(String[]::new);
    }

    /** A session opened by a raw client: the answer to its {@code initialize} and the session's id. */
    record Session(String id, HttpResponse<String> answer) {}

    /**
     * Initializes a session of a client with {@code capabilities} (JSON) and sends {@code
     * notifications/initialized}, both with {@code headers}: the first is answered 200 with a session id, the
     * second 202.
     */
    Session initialize(McpHttpServer server, String capabilities, String... headers) throws Exception {
        HttpResponse<String> init = send(post(server, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",\
                "capabilities":%s,"clientInfo":{"name":"raw","version":"1"}}}""".formatted(VERSION, capabilities),
                headers));
        assertThat(init.statusCode()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> initialized = send(post(server,
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", inSession(session, headers)));
        assertThat(initialized.statusCode()).isEqualTo(202);
        return new Session(session, init);
    }
}
