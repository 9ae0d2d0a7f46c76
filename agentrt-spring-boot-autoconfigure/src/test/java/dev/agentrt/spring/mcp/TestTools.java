package dev.agentrt.spring.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import dev.agentrt.tools.mcp.McpServer;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tools the MCP tests serve (echo needs nothing, refund needs payments:refund, lookup needs
 * crm:read), and a stdio MCP server of them run as a child JVM ({@link #main}).
 */
final class TestTools {
    private TestTools() {}

    static Tool echo() {
        return Tool.builder("echo")
                .description("Repeats the text")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""").asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.text("echo: " + args.getString("text").orElseThrow())))
                .build();
    }

    static Tool refund() {
        return Tool.builder("refund")
                .description("Refunds an order")
                .requires(Capability.custom("payments", "refund"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("refunded")))
                .build();
    }

    static Tool lookup() {
        return Tool.builder("lookup")
                .description("Looks a customer up")
                .requires(Capability.custom("crm", "read"))
                .blockingHandler((args, ctx) -> ToolResult.text("customer 42"))
                .build();
    }

    static List<Tool> all() {
        return List.of(echo(), refund(), lookup());
    }

    /** Serves {@link #all()} over stdin and stdout, granted crm (not payments). */
    public static void main(String[] args) {
        McpServer.expose(all(), Grants.of(Capability.custom("crm"))).serveStdio().block();
    }

    /** The command line of a child JVM running {@link #main} on this JVM's class path. */
    static List<String> childJvm() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-cp", System.getProperty("java.class.path"), TestTools.class.getName());
    }

    /** The official TypeScript SDK's HTTP client script of agent-tools' tests, with its installed packages. */
    static Path typeScriptClient() {
        Path npm = Path.of("../agent-tools/src/test/npm").toAbsolutePath().normalize();
        Path script = npm.resolve("sdk-http-client.mjs");
        Path sdk = npm.resolve("node_modules/@modelcontextprotocol/sdk/package.json");
        if (!Files.isRegularFile(script) || !Files.isRegularFile(sdk)) {
            throw new AssertionError(sdk + " is missing: this test uses the npm packages agent-tools' build installs "
                    + "('npm ci' in process-test-resources); build agent-tools' tests first, or run 'npm ci' in "
                    + npm);
        }
        return script;
    }

    /** The {@code node} executable; fails with a message saying what is missing. */
    static String node() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return "node";
            }
            p.destroyForcibly();
        } catch (IOException e) {
            throw new AssertionError("this test needs Node.js ('node' on the PATH): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("this test needs Node.js ('node' on the PATH); 'node --version' failed");
    }
}
