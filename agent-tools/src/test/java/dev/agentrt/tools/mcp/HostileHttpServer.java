package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.tools.mcp.RawHttpServer.Request;
import dev.agentrt.tools.mcp.RawHttpServer.Response;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * An MCP server over plain HTTP/1.1 sockets on 127.0.0.1 that does what a hostile server may: answers of any size
 * written as they are produced (so a client that stops reading makes its writes fail), streams that end after each
 * event, and whatever a test scripts per JSON-RPC method. Keep-alive connections, a virtual thread each; every
 * request is recorded. Methods nobody scripted: {@code initialize} (2025-11-25, a session id), {@code tools/list}
 * (the tools given), a notification or answer 202, {@code DELETE} 200, a {@code GET} 405. The sockets, the
 * request parsing and the answers are {@link RawHttpServer}'s.
 */
final class HostileHttpServer implements AutoCloseable {
    /** Answers one JSON-RPC message of the client's; {@code id} is its id's JSON ({@code null} for none). */
    @FunctionalInterface
    interface Method {
        void answer(JsonObject message, String id, Response response) throws IOException, InterruptedException;
    }

    /** Answers a GET. */
    @FunctionalInterface
    interface Get {
        void answer(Request request, Response response) throws IOException, InterruptedException;
    }

    private final String tools;
    private final Map<String, Method> methods = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Get get = (request, response) -> response.send(405, null, "", "Allow", "POST");
    private final RawHttpServer raw;

    /** @param tools the {@code tools} array of the {@code tools/list} answer, as JSON */
    HostileHttpServer(String tools) throws IOException {
        this.tools = tools;
        this.raw = new RawHttpServer(this::handle);
    }

    HostileHttpServer on(String method, Method answer) {
        methods.put(method, answer);
        return this;
    }

    HostileHttpServer onGet(Get answer) {
        this.get = answer;
        return this;
    }

    String url() {
        return raw.url();
    }

    List<Request> requests() {
        return raw.requests();
    }

    /** The first request {@code which} matches, once it came; fails after {@code guard} (a hang guard). */
    Request await(java.util.function.Predicate<Request> which, java.time.Duration guard) throws InterruptedException {
        return raw.await(which, guard);
    }

    /** How many requests were JSON-RPC requests for {@code method}. */
    long count(String method) {
        return raw.requests().stream().filter(r -> r.body().contains("\"method\":\"" + method + "\"")).count();
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    private void handle(Request request, Response response) throws IOException, InterruptedException {
        switch (request.method()) {
            case "GET" -> get.answer(request, response);
            case "DELETE" -> response.send(200, null, "");
            default -> {
                JsonObject message = JsonValue.parse(request.body()).asObject();
                String method = message.getString("method").orElse("");
                String id = message.has("id") ? message.get("id").toJson() : "null";
                Method scripted = methods.get(method);
                if (scripted != null) {
                    scripted.answer(message, id, response);
                } else if (method.equals("initialize")) {
                    response.json(200, """
                            {"jsonrpc":"2.0","id":%s,"result":{"protocolVersion":"2025-11-25",\
                            "capabilities":{"tools":{},"tasks":{"requests":{"tools":{"call":{}}}}},\
                            "serverInfo":{"name":"hostile","version":"1"}}}""".formatted(id),
                            "Mcp-Session-Id", "session-1");
                } else if (method.equals("tools/list")) {
                    response.json(200, """
                            {"jsonrpc":"2.0","id":%s,"result":{"tools":%s}}""".formatted(id, tools));
                } else {
                    response.send(202, null, "");
                }
            }
        }
    }
}
