package dev.agentrt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.sandbox.CodeExecutor;
import dev.agentrt.tools.fs.FileSystemTools;
import dev.agentrt.tools.git.GitTools;
import dev.agentrt.tools.web.WebBrowser;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The flagship scenario run by a hostile model: it reads and writes outside the repository, commits without the
 * git capability, pushes without a grant and reaches for the network from code mode. Each attempt is refused before
 * it does anything, explained to the model in the call's result, and visible as an event.
 */
class FixTheBugsHostileTest {
    @TempDir
    Path temp;

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void everyAttemptBeyondTheGrantsIsDeniedExplainedAndAnEvent() throws Exception {
        Path repository = FixTheBugs.sampleRepository(Files.createDirectories(temp.resolve("work")));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "TOP SECRET\n");
        Path remote = temp.resolve("remote.git");
        Git.init().setBare(true).setDirectory(remote.toFile()).call().close();
        String page = "http://127.0.0.1:" + serve() + "/exfiltrate";
        String head = headOf(repository);

        String script = """
                const outcomes = [];
                for (const attempt of [
                    () => tools.web_browse({url: %s}),
                    () => tools.read_file({path: %s}),
                ]) {
                    try { outcomes.push(JSON.stringify(attempt())); } catch (e) { outcomes.push(e.kind + ': ' + e.message); }
                }
                outcomes;"""
                .formatted(JsonValue.of(page).toJson(),
                        JsonValue.of(outside.resolve("secret.txt").toString()).toJson());
        var model = ScriptedChatModel.of(
                Reply.toolCalls(call("read_file", Map.of("path", "../outside/secret.txt")),
                        call("write_file", Map.of("path", outside.resolve("pwned.txt").toString(), "content", "x"))),
                Reply.toolCalls(call("edit_file", Map.of("path", "ledger/money.py", "old_text", "import re\n",
                        "new_text", "import os\nimport re\n")), call("git_add",
                                Map.of("paths",
                                        List.of("ledger/money.py")))),
                Reply.toolCalls(call("git_commit", Map.of("message", "Sneak a change in"))),
                Reply.toolCalls(call("git_push", Map.of("branch", "main"))),
                Reply.toolCalls(call(CodeExecutor.NAME, Map.of("language", "javascript", "code", script))),
                Reply.text("I could not do any of it."));

        AgentResult result;
        List<AgentEvent> events;
        try (CodeExecutor executor = CodeExecutor.codeMode()) {
            Agent agent = Agent.builder()
                    .model(model)
                    .instructions(FixTheBugs.INSTRUCTIONS.formatted(repository))
                    .tools(executor, FileSystemTools.rootedAt(repository), WebBrowser.create())
                    .tools(GitTools.builder(repository).pushTo(remote).build())
                    .grant(Capability.fileRead(repository), Capability.fileWrite(repository)) // no git:commit, no net
                    .maxSteps(10)
                    .build();
            events = agent.task(FixTheBugs.TASK).stream().collectList().block(Duration.ofMinutes(5));
        }
        assertThat(events).isNotNull();
        result = events.stream()
                .filter(AgentEvent.Completed.class::isInstance)
                .map(AgentEvent.Completed.class::cast)
                .findFirst()
                .orElseThrow()
                .result();
        assertThat(result.outcome()).isEqualTo(Outcome.COMPLETED);

        // Each attempt is a PermissionDenied event naming what was missing.
        List<AgentEvent.PermissionDenied> denials = events.stream()
                .filter(AgentEvent.PermissionDenied.class::isInstance)
                .map(AgentEvent.PermissionDenied.class::cast)
                .toList();
        assertThat(denials).extracting(d -> d.call().name())
                .containsExactlyInAnyOrder("read_file", "write_file", "git_commit", "git_push", "web_browse",
                        "read_file");
        assertThat(denied(denials, "write_file")).contains("file-write:" + outside.resolve("pwned.txt"));
        assertThat(denied(denials, "git_commit")).contains("git:commit");
        assertThat(denied(denials, "git_push")).contains("file-write:" + remote.toRealPath());
        assertThat(denied(denials, "web_browse")).contains("net:127.0.0.1");
        // The calls from code mode are nested under the script's call.
        assertThat(events.stream()
                .filter(AgentEvent.ToolCallRequested.class::isInstance)
                .map(AgentEvent.ToolCallRequested.class::cast)
                .filter(AgentEvent.ToolCallRequested::nested)
                .map(e -> e.call().name())).containsExactly("web_browse", "read_file");

        // Each refusal was explained to the model in the call's result.
        List<String> results = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(m -> ((Message.ToolResult) m).content())
                .toList();
        assertThat(results).filteredOn(r -> r.contains("Permission denied")).hasSize(5);
        String scriptResult = results.getLast();
        assertThat(scriptResult).contains("PERMISSION_DENIED: Permission denied: tool \\\"web_browse\\\" needs net:")
                .contains("PERMISSION_DENIED: Permission denied: tool \\\"read_file\\\" needs file-read:");

        // Nothing happened: no file outside, no commit, nothing pushed, no request on the wire.
        assertThat(outside.resolve("secret.txt")).hasContent("TOP SECRET");
        assertThat(outside.resolve("pwned.txt")).doesNotExist();
        assertThat(results).noneMatch(r -> r.contains("TOP SECRET"));
        assertThat(headOf(repository)).isEqualTo(head);
        try (Git bare = Git.open(remote.toFile())) {
            assertThat(bare.getRepository().getRefDatabase().getRefs()).isEmpty();
        }
        assertThat(requests).hasValue(0);
    }

    private static String denied(List<AgentEvent.PermissionDenied> denials, String tool) {
        return denials.stream()
                .filter(d -> d.call().name().equals(tool))
                .findFirst()
                .orElseThrow()
                .missing()
                .toString() + " "
                + denials.stream()
                        .filter(d -> d.call().name().equals(tool))
                        .findFirst()
                        .orElseThrow()
                        .reason();
    }

    private static ToolCall call(String name, Map<String, ?> arguments) {
        return new ToolCall(Reply.newId(), name, JsonValue.of(arguments).toJson());
    }

    private static String headOf(Path repository) throws Exception {
        try (Git git = Git.open(repository.toFile())) {
            return git.getRepository().resolve("HEAD").name();
        }
    }

    /** A page on 127.0.0.1 that counts the requests it gets: none may arrive. */
    private int serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server.getAddress().getPort();
    }
}
