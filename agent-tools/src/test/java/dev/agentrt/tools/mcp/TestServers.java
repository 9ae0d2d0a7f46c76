package dev.agentrt.tools.mcp;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the tests find Node and the MCP servers they run. The reference servers come from
 * {@code src/test/npm} (installed by the pom's {@code npm ci} step); nothing is downloaded here.
 */
final class TestServers {
    static final Path NPM = Path.of("src/test/npm/node_modules").toAbsolutePath();

    private TestServers() {}

    /** The {@code node} executable; fails with a message saying what is missing. */
    static String node() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return "node";
            }
            p.destroyForcibly();
        } catch (IOException e) {
            throw new AssertionError("the MCP tests need Node.js ('node' on the PATH), which is missing: "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("the MCP tests need Node.js ('node' on the PATH); 'node --version' failed");
    }

    /** The entry point of an installed npm package, e.g. {@code server-everything}. */
    static String npmServer(String pkg) {
        Path js = NPM.resolve("@modelcontextprotocol").resolve(pkg).resolve("dist/index.js");
        if (!Files.isRegularFile(js)) {
            throw new AssertionError(js + " is missing: the MCP tests need the npm packages of src/test/npm, "
                    + "which the build installs with 'npm ci' in process-test-resources (run 'mvn test', "
                    + "or 'npm ci' in agent-tools/src/test/npm)");
        }
        return js.toString();
    }

    /** A script of ours in {@code src/test/npm}, beside the packages it imports. */
    static String npmScript(String name) {
        Path js = NPM.getParent().resolve(name);
        if (!Files.isRegularFile(js)) {
            throw new AssertionError(js + " is missing");
        }
        npmServer("server-everything"); // fails clearly if the packages are not installed
        return js.toString();
    }

    static McpTransportSpec.Stdio everything() {
        return McpTransportSpec.stdio(node(), npmServer("server-everything"), "stdio");
    }

    static McpTransportSpec.Stdio filesystem(Path root) {
        return McpTransportSpec.stdio(node(), npmServer("server-filesystem"), root.toString());
    }

    /** src/test/resources/mcp/fake-server.js in {@code mode}, given {@code args} after it (a file some modes use). */
    static McpTransportSpec.Stdio fake(String mode, String... args) {
        var command = new java.util.ArrayList<String>();
        command.add(Path.of("src/test/resources/mcp/fake-server.js").toAbsolutePath().toString());
        command.add(mode);
        command.addAll(List.of(args));
        return McpTransportSpec.stdio(node(), command, java.util.Map.of());
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Processes this JVM started that are still alive. */
    static List<ProcessHandle> children() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** Live threads named by the stdio transport. */
    static long transportThreads() {
        return Thread.getAllStackTraces()
                .keySet()
                .stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("agentrt-mcp-"))
                .count();
    }
}
