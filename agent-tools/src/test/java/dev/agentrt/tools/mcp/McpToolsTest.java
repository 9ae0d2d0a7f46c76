package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** {@link McpTools} against the reference servers from npm, run with the machine's Node. */
class McpToolsTest {
    private static McpTools everything;

    @BeforeAll
    static void connect() {
        everything = McpTools.builder("everything", TestServers.everything())
                .allowTools("echo", "get-sum")
                .connect()
                .block(Duration.ofSeconds(60));
    }

    @AfterAll
    static void close() {
        if (everything != null) {
            everything.close();
        }
    }

    private static ToolResult call(ToolRegistry registry, String tool, String args, Grants grants) {
        return registry.execute(new ToolCall("c1", tool, args), ToolExecution.of("t", Principal.ANONYMOUS, grants))
                .block(Duration.ofSeconds(60));
    }

    @Test
    void theAllowListDecidesWhichToolsAreOffered() {
        assertThat(everything.tools()).extracting(t -> t.spec().name()).containsExactlyInAnyOrder("echo", "get-sum");
        Tool echo = everything.tools().stream().filter(t -> t.spec().name().equals("echo")).findFirst().orElseThrow();
        assertThat(echo.spec().description()).isNotBlank();
        assertThat(echo.spec().parameters().getObject("properties").orElseThrow().has("message")).isTrue();
    }

    @Test
    void rootsAreDeclaredOnlyWhenGivenAndTheServerReadsThemFromTheClient(@TempDir Path dir) throws Exception {
        Path project = Files.createDirectory(dir.resolve("my project"));
        try (McpTools withRoots = McpTools.builder("rooted", TestServers.everything())
                .roots(project)
                .connect()
                .block(Duration.ofSeconds(60))) {
            ToolResult roots = call(ToolRegistry.of(withRoots.tools()), "get-roots-list", "{}",
                    Grants.of(withRoots.capability()));

            assertThat(roots.isError()).as(roots.content()).isFalse();
            assertThat(roots.content()).contains("(1 total)")
                    .contains("1. my project")
                    .contains("URI: " + project.toUri());
        }
        // Without roots the capability is not declared, and server-everything then offers no such tool.
        try (McpTools plain = McpTools.connect("plain", TestServers.everything()).block(Duration.ofSeconds(60))) {
            assertThat(plain.tools()).extracting(t -> t.spec().name())
                    .contains("echo")
                    .doesNotContain("get-roots-list");
        }
    }

    @Test
    void aGrantedCallReachesTheServer() {
        var registry = ToolRegistry.of(everything.tools());
        ToolResult echo = call(registry, "echo", "{\"message\":\"hello\"}", Grants.of(everything.capability()));
        assertThat(echo.isError()).as(echo.content()).isFalse();
        assertThat(echo.content()).isEqualTo("Echo: hello");
        ToolResult sum = call(registry, "get-sum", "{\"a\":2,\"b\":40}", Grants.of(everything.capability()));
        assertThat(sum.content()).contains("42");
    }

    @Test
    void aCallWithoutTheServersCapabilityIsRefusedBeforeItLeavesTheJvm() {
        var registry = ToolRegistry.of(everything.tools());
        ToolResult r = call(registry, "echo", "{\"message\":\"hello\"}", Grants.none());
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("mcp:everything:echo");
    }

    @Test
    void aPerToolGrantCoversThatToolOnly() {
        var registry = ToolRegistry.of(everything.tools());
        Grants echoOnly = Grants.of(McpTools.capability("everything", "echo"));
        assertThat(call(registry, "echo", "{\"message\":\"x\"}", echoOnly).isError()).isFalse();
        assertThat(call(registry, "get-sum", "{\"a\":1,\"b\":2}", echoOnly).errorKind())
                .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
    }

    @Test
    void argumentsThatBreakTheToolsSchemaNeverReachTheServer() {
        var registry = ToolRegistry.of(everything.tools());
        ToolResult r = call(registry, "get-sum", "{\"a\":\"two\"}", Grants.of(everything.capability()));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
    }

    @Test
    void prefixedNamesCarryTheServerName() {
        try (McpTools prefixed = McpTools.builder("ev", TestServers.everything())
                .allowTools("echo")
                .prefixNames(true)
                .connect()
                .block(Duration.ofSeconds(60))) {
            assertThat(prefixed.tools()).extracting(t -> t.spec().name()).containsExactly("ev_echo");
            ToolResult r = call(ToolRegistry.of(prefixed.tools()), "ev_echo", "{\"message\":\"p\"}",
                    Grants.of(McpTools.capability("ev")));
            assertThat(r.content()).isEqualTo("Echo: p");
        }
    }

    @Test
    void theServersInstructionsReachTheModelIntroducedAsTheServers() {
        assertThat(everything.serverInstructions()).startsWith("# Everything Server");
        assertThat(everything.instructions()).startsWith(
                "The MCP server 'everything' gives these instructions for its tools:\n\n# Everything Server");
        var model = ScriptedChatModel.of(ScriptedChatModel.Reply.text("ok"));
        Agent agent = Agent.builder().model(model).tools(everything).grant(everything.capability()).build();
        agent.task("hi").executeBlocking();
        assertThat(model.requests().getFirst().messages()).contains(Message.system(everything.instructions()));
    }

    @Test
    void aServerWithoutInstructionsAddsNothingAndLongInstructionsAreCut() {
        try (McpTools quiet = McpTools.builder("quiet", TestServers.fake("ok"))
                .connect()
                .block(Duration.ofSeconds(60))) {
            assertThat(quiet.serverInstructions()).isEmpty();
            assertThat(quiet.instructions()).isEmpty();
        }
        try (McpTools wordy = McpTools.builder("wordy", TestServers.fake("long-instructions"))
                .connect()
                .block(Duration.ofSeconds(60))) {
            assertThat(wordy.serverInstructions()).hasSize(20_010);
            assertThat(wordy.instructions()).startsWith("The MCP server 'wordy' gives these instructions")
                    .endsWith("[... cut: the server's instructions are 20010 characters long]")
                    .hasSizeLessThan(McpTools.MAX_INSTRUCTIONS + 200);
        }
    }

    @Test
    void theFilesystemServerReadsOnlyBelowItsRoot(@TempDir Path dir) throws Exception {
        Path root = dir.toRealPath();
        Files.writeString(root.resolve("notes.txt"), "agentrt was here");
        try (McpTools fs = McpTools.builder("fs", TestServers.filesystem(root))
                .allowTools("read_text_file", "list_directory")
                .connect()
                .block(Duration.ofSeconds(60))) {
            var registry = ToolRegistry.of(fs.tools());
            Grants grants = Grants.of(fs.capability());
            ToolResult listing = call(registry, "list_directory", "{\"path\":\"" + root + "\"}", grants);
            assertThat(listing.content()).contains("notes.txt");
            ToolResult read = call(registry, "read_text_file", "{\"path\":\"" + root.resolve("notes.txt") + "\"}",
                    grants);
            assertThat(read.content()).isEqualTo("agentrt was here");
            ToolResult outside = call(registry, "read_text_file", "{\"path\":\"/etc/hostname\"}", grants);
            assertThat(outside.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(outside.content()).containsIgnoringCase("denied");
        }
    }

    @Test
    void theStreamableHttpTransportReachesAServerOverHttp() throws Exception {
        int port = TestServers.freePort();
        var builder = new ProcessBuilder(TestServers.node(), TestServers.npmServer("server-everything"),
                "streamableHttp");
        builder.environment().put("PORT", Integer.toString(port));
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process server = builder.start();
        try (var stderr = server.errorReader()) {
            String line;
            while ((line = stderr.readLine()) != null && !line.contains("listening")) {
                // wait for the server to listen
            }
            assertThat(line).as("server-everything did not start listening").isNotNull();
            try (McpTools http = McpTools.builder("remote", McpTransportSpec.http("http://localhost:" + port + "/mcp"))
                    .allowTools("echo")
                    .connect()
                    .block(Duration.ofSeconds(60))) {
                assertThat(http.pid()).isEmpty();
                ToolResult r = call(ToolRegistry.of(http.tools()), "echo", "{\"message\":\"over http\"}",
                        Grants.of(http.capability()));
                assertThat(r.content()).isEqualTo("Echo: over http");
            }
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void closingKillsTheServerProcess() throws Exception {
        McpTools tools = McpTools.builder("short", TestServers.everything())
                .allowTools("echo")
                .connect()
                .block(Duration.ofSeconds(60));
        long pid = tools.pid().orElseThrow();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        tools.close();
        assertThat(handle.isAlive()).isFalse();
        assertThat(tools.pid()).isEmpty();
        ToolResult after = call(ToolRegistry.of(tools.tools()), "echo", "{\"message\":\"late\"}",
                Grants.of(tools.capability()));
        assertThat(after.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(List.of(after.content())).allMatch(c -> c.contains("closed"));
    }
}
