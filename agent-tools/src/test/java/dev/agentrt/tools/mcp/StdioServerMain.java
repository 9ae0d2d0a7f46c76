package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An {@link McpServer} over this process's stdin and stdout, run as a subprocess by {@link
 * McpServerStdioTest} and the TypeScript SDK's client. Tools: {@code echo}, and {@code gate}, which
 * connects to 127.0.0.1 at the port of the system property {@code gate.port} and answers with the
 * line it reads there, so a test decides when the call ends. It exits by itself when serving ends:
 * nothing calls {@code exit}.
 */
public final class StdioServerMain {
    private StdioServerMain() {}

    static List<Tool> tools() {
        Tool echo = McpTestPeers.echoTool();
        Tool gate = Tool.builder("gate")
                .description("Waits until the test lets it through")
                .blockingHandler((args, ctx) -> ToolResult.text("released: " + awaitGate()))
                .build();
        return List.of(echo, gate);
    }

    private static String awaitGate() {
        int port = Integer.getInteger("gate.port", 0);
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port);
                var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8))) {
            String line = reader.readLine();
            return line == null ? "(closed)" : line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) {
        McpServer.builder(tools()).name("stdio-test").grants(Grants.none()).build().serveStdio().block();
    }
}
