package dev.agentrt.tools.mcp;

import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link McpServer} over this process's stdin and stdout whose tools may be called as tasks, run as a subprocess
 * by the TypeScript SDK's client in {@link McpServerTasksInteropTest}. System properties: {@code tasks.max} (tasks
 * a session holds, 32 by default), {@code tasks.required} (false by default). Tools: {@code echo}; {@code fail}
 * (an error result); {@code gate}, which connects to 127.0.0.1 at the port of {@code gate.port}, writes its
 * argument {@code name} as a line, and answers with the line it reads there, or, when cancelled, writes
 * {@code cancelled} there, so the test sees each gate start and end. Exits by itself when serving ends.
 */
public final class TaskServerMain {
    private TaskServerMain() {}

    static List<Tool> tools() {
        Tool echo = McpTestPeers.echoTool();
        Tool fail = McpTestPeers.failTool();
        Tool gate = Tool.builder("gate")
                .description("Waits until the test lets it through")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}""").asObject())
                .handler((args, ctx) -> gate(args.getString("name").orElseThrow()))
                .build();
        return List.of(echo, fail, gate);
    }

    private static Mono<ToolResult> gate(String name) {
        return Mono.defer(() -> {
            var opened = new AtomicReference<Socket>();
            return Mono.fromCallable(() -> {
                var socket = new Socket(InetAddress.getLoopbackAddress(), Integer.getInteger("gate.port", 0));
                opened.set(socket);
                line(socket, name);
                var reader = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = reader.readLine();
                return ToolResult.text("released: " + (line == null ? "(closed)" : line));
            })
                    .subscribeOn(AgentSchedulers.blocking())
                    .doOnCancel(() -> {
                        Socket socket = opened.get();
                        if (socket != null) {
                            try (socket) {
                                line(socket, "cancelled");
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                    });
        });
    }

    private static void line(Socket socket, String text) throws IOException {
        socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    public static void main(String[] args) {
        McpTaskOptions tasks = (Boolean.getBoolean("tasks.required")
                ? McpTaskOptions.required()
                : McpTaskOptions.optional())
                .withMaxTasks(Integer.getInteger("tasks.max", 32))
                .withPollInterval(Duration.ofMillis(50));
        McpServer.builder(tools())
                .name("task-test")
                .grants(Grants.none())
                .timeout(Duration.ofMinutes(10))
                .tasks(tasks)
                .build()
                .serveStdio()
                .block();
    }
}
