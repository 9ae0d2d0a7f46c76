package dev.agentrt.consumercheck;

import dev.agentrt.core.json.JsonArray;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import dev.agentrt.tools.Param;
import dev.agentrt.tools.ToolMethod;
import dev.agentrt.tools.Tools;
import dev.agentrt.tools.mcp.McpServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * agent-tools on a consumer's class path: {@code @ToolMethod} methods (schemas from the core's
 * {@code TypeSchema}, arguments bound by the core's Jackson 3 mapper) exposed by {@link McpServer}
 * over the stdio of a child JVM, which this program drives as an MCP client does, in raw JSON-RPC: {@code initialize}, {@code tools/list}, {@code tools/call}. A server that fails on a
 * message (a {@code NoSuchMethodError} from mismatched Jackson jars, say) and never answers fails the
 * check after a minute instead of hanging it.
 */
public final class Smoke {
    private static final long ANSWER_TIMEOUT_SECONDS = 60;
    private static final String EOF = "\u0000end of stdout";

    private Smoke() {}

    /** The tools the server exposes. */
    public static final class Greeter {
        /** Who to greet. */
        public record Person(String name, Optional<String> title) {}

        @ToolMethod("Greets a person by name, with their title when given")
        public String greet(@Param("The person to greet") Person person) {
            return "Hello, " + person.title().map(t -> t + " ").orElse("") + person.name() + "!";
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("serve")) {
            McpServer.expose(Tools.from(new Greeter()), Grants.none()).serveStdio().block();
            return;
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Smoke.class.getName(), "serve")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> readLines(server, lines), "mcp-server-stdout");
            reader.setDaemon(true);
            reader.start();
            OutputStream in = server.getOutputStream();

            send(in, """
                    {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",\
                    "capabilities":{},"clientInfo":{"name":"consumer-check","version":"1"}}}""");
            JsonObject init = answer(lines, 1, "initialize");
            Checks.equal("the server name in the initialize answer", "agentrt",
                    init.getObject("serverInfo").flatMap(i -> i.getString("name")).orElse(null));
            send(in, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

            send(in, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}");
            JsonArray tools = answer(lines, 2, "tools/list").getArray("tools").orElseThrow();
            Checks.equal("the number of listed tools", 1, tools.size());
            JsonObject greet = tools.get(0).asObject();
            Checks.equal("the listed tool", "greet", greet.getString("name").orElse(null));
            JsonObject person = greet.getObject("inputSchema")
                    .flatMap(s -> s.getObject("properties"))
                    .flatMap(p -> p.getObject("person"))
                    .orElse(null);
            Checks.that(person != null, "the greet tool's input schema has no 'person' property: " + greet);

            send(in, """
                    {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"greet",\
                    "arguments":{"person":{"name":"Lovelace","title":"Countess"}}}}""");
            JsonObject call = answer(lines, 3, "tools/call");
            Checks.equal("whether tools/call failed", false, call.getBoolean("isError").orElse(false));
            Checks.equal("what the greet tool answered", "Hello, Countess Lovelace!",
                    call.getArray("content").orElseThrow().get(0).asObject().getString("text").orElse(null));

            in.close();
            Checks.that(server.waitFor(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                    "the MCP server did not exit within " + ANSWER_TIMEOUT_SECONDS + " s after its stdin closed");
            Checks.equal("the MCP server's exit status", 0, server.exitValue());
        } finally {
            server.destroyForcibly();
        }
        System.out.println("agent-tools smoke test passed: McpServer over stdio answered initialize, tools/list"
                + " and tools/call");
    }

    private static void send(OutputStream in, String message) throws IOException {
        in.write((message + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** The result of the response with this id; fails on an error response, an ended stream or silence. */
    private static JsonObject answer(BlockingQueue<String> lines, long id, String method) throws InterruptedException {
        while (true) {
            String line = lines.poll(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Checks.that(line != null, "the MCP server did not answer " + method + " within "
                    + ANSWER_TIMEOUT_SECONDS + " s (see its stderr above)");
            Checks.that(!line.equals(EOF), "the MCP server closed its stdout before answering " + method
                    + " (see its stderr above)");
            JsonObject message = JsonValue.parse(line).asObject();
            if (message.getLong("id").orElse(-1L) != id) {
                continue; // a notification or log message
            }
            Checks.that(!message.has("error"), method + " failed: " + message);
            return message.getObject("result").orElseThrow(() -> new AssertionError(method + ": no result in "
                    + message));
        }
    }

    private static void readLines(Process server, BlockingQueue<String> lines) {
        try (var out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            System.err.println("reading the MCP server's stdout failed: " + e);
        }
        lines.add(EOF);
    }
}
