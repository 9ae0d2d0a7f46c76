package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.context.TaskContext;
import dev.agentrt.core.internal.ContextReadTool;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A task with a directory context and no memory gets a listing and read access to that directory, nothing more. */
class DirectoryContextTaskTest {
    @TempDir
    Path tmp;
    Path project;
    Path outside;

    @BeforeEach
    void files() throws IOException {
        project = Files.createDirectories(tmp.resolve("project"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(project.resolve("README.md"), "line one\nline two\nline three\n");
        Files.createDirectories(project.resolve("src"));
        Files.writeString(project.resolve("src/Main.java"), "class Main {}\n");
        Files.writeString(outside.resolve("secret.txt"), "top secret");
        Files.writeString(project.resolve(".gitignore"), "build/\n");
        Files.createDirectories(project.resolve("build"));
        Files.writeString(project.resolve("build/out.txt"), "ignored");
        Files.createSymbolicLink(project.resolve("escape.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(project.resolve("linked-dir"), outside);
    }

    private static ToolCall read(String id, String args) {
        return new ToolCall(id, ContextReadTool.NAME, args);
    }

    @Test
    void listsTheDirectoryAndReadsFilesInsideIt() {
        var model = ScriptedChatModel
                .of(Reply.toolCalls(read("1", "{\"path\":\"README.md\",\"startLine\":2,\"endLine\":2}"),
                        read("2", "{\"path\":\"src/Main.java\"}")), Reply.text("read"));
        Agent agent = Agent.builder().model(model).build();

        AgentResult r = agent.task("Describe the project")
                .withContext(TaskContext.fromDirectory(project))
                .executeBlocking();

        var first = model.requests().get(0);
        assertThat(first.tools()).extracting(ToolSpec::name).containsExactly(ContextReadTool.NAME);
        String listing = ((Message.System) first.messages().get(0)).text();
        assertThat(listing).contains("README.md").contains("src/Main.java").doesNotContain("build/out.txt");
        assertThat(AgentTest.toolResults(r)).extracting(Message.ToolResult::content)
                .containsExactly("line two\n", "class Main {}\n");
    }

    @Test
    void deniesPathsThatLeaveTheDirectory() {
        var model = ScriptedChatModel.of(Reply.toolCalls(
                read("dotdot", "{\"path\":\"../outside/secret.txt\"}"),
                read("absolute", "{\"path\":\"" + outside.resolve("secret.txt") + "\"}"),
                read("symlink", "{\"path\":\"escape.txt\"}"),
                read("symlinked-dir", "{\"path\":\"linked-dir/secret.txt\"}"),
                read("backslash", "{\"path\":\"..\\\\outside\\\\secret.txt\"}"),
                read("nul", "{\"path\":\"README.md\\u0000.txt\"}")), Reply.text("denied"));
        Agent agent = Agent.builder().model(model).build();

        AgentResult r = agent.task("Steal").withContext(TaskContext.fromDirectory(project)).executeBlocking();

        List<Message.ToolResult> results = AgentTest.toolResults(r);
        assertThat(results).hasSize(6).allSatisfy(t -> {
            assertThat(t.error()).isTrue();
            assertThat(t.content()).doesNotContain("top secret");
        });
        assertThat(results.subList(0, 5)).allSatisfy(t -> assertThat(t.content()).contains("Permission denied"));
        assertThat(results.get(5).content()).contains("Invalid arguments");
    }

    @Test
    void anExplicitGrantDoesNotWidenTheContextToolBeyondItsRoot() {
        // Even when the agent may read the outside directory, the context tool stays inside its root.
        var model = ScriptedChatModel.of(Reply.toolCall(ContextReadTool.NAME, "{\"path\":\"../outside/secret.txt\"}"),
                Reply.text("done"));
        Agent agent = Agent.builder()
                .model(model)
                .grant(dev.agentrt.core.security.Capability.fileRead(outside))
                .build();
        AgentResult r = agent.task("Steal").withContext(TaskContext.fromDirectory(project)).executeBlocking();
        assertThat(AgentTest.toolResults(r)).singleElement().satisfies(t -> {
            assertThat(t.error()).isTrue();
            assertThat(t.content()).doesNotContain("top secret").contains("leaves the context directory");
        });
    }

    @Test
    void refusesBinaryFiles() throws IOException {
        Files.write(project.resolve("image.bin"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0, (byte) 0xff});
        var model = ScriptedChatModel.of(Reply.toolCall(ContextReadTool.NAME, "{\"path\":\"image.bin\"}"),
                Reply.text("done"));
        AgentResult r = Agent.builder()
                .model(model)
                .build()
                .task("look")
                .withContext(TaskContext.fromDirectory(project))
                .executeBlocking();
        assertThat(AgentTest.toolResults(r)).singleElement().satisfies(t -> {
            assertThat(t.error()).isTrue();
            assertThat(t.content()).contains("not a");
        });
    }

    @Test
    void readsThroughTheConfinementLayerAndRefusesEveryLink() throws IOException {
        // Like read_file: a link is not followed even when it leads inside the directory.
        Files.createSymbolicLink(project.resolve("alias.md"), project.resolve("README.md"));
        Files.createSymbolicLink(project.resolve("dangling.md"), outside.resolve("missing.md"));
        var model = ScriptedChatModel.of(Reply.toolCalls(read("alias", "{\"path\":\"alias.md\"}"),
                read("dangling", "{\"path\":\"dangling.md\"}"), read("missing", "{\"path\":\"nope.md\"}")),
                Reply.text("done"));
        Agent agent = Agent.builder().model(model).build();

        AgentResult r = agent.task("Read").withContext(TaskContext.fromDirectory(project)).executeBlocking();

        List<Message.ToolResult> results = AgentTest.toolResults(r);
        assertThat(results).hasSize(3).allSatisfy(t -> assertThat(t.error()).isTrue());
        assertThat(results.get(0).content()).contains("alias.md is a symbolic link").doesNotContain("line one");
        assertThat(results.get(1).content()).contains("Permission denied");
        assertThat(results.get(2).content()).isEqualTo("no such file: nope.md");
    }
}
