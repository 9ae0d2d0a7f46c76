package dev.agentrt.tools.fs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The tools inside a real agent loop, with a scripted model. */
class FileSystemToolsAgentTest {
    @TempDir
    Path root;

    private static List<Message.ToolResult> toolResults(AgentResult r) {
        return r.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
    }

    @Test
    void anAgentWritesEditsAndReadsBackAFileUnderItsGrants() throws IOException {
        Files.createDirectory(root.resolve("out"));
        var model = ScriptedChatModel.of(
                Reply.toolCalls(
                        new ToolCall("w", "write_file", "{\"path\":\"out/plan.md\",\"content\":\"step one\\n\"}")),
                Reply.toolCalls(new ToolCall("e", "edit_file",
                        "{\"path\":\"out/plan.md\",\"old_text\":\"one\",\"new_text\":\"two\"}")),
                Reply.toolCalls(new ToolCall("r", "read_file", "{\"path\":\"out/plan.md\"}"),
                        new ToolCall("x", "write_file", "{\"path\":\"escape.md\",\"content\":\"no\"}")),
                Reply.text("done"));
        var events = new CopyOnWriteArrayList<AgentEvent>();
        Agent agent = Agent.builder()
                .model(model)
                .tools(FileSystemTools.rootedAt(root).tools())
                .grant(Capability.fileRead(root), Capability.fileWrite(root.resolve("out")))
                .listener(events::add)
                .build();

        StepVerifier.create(agent.task("write a plan").execute())
                .assertNext(r -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
                    List<Message.ToolResult> results = toolResults(r);
                    assertThat(results).extracting(Message.ToolResult::callId).containsExactly("w", "e", "r", "x");
                    assertThat(results).extracting(Message.ToolResult::error)
                            .containsExactly(false, false, false, true);
                    assertThat(results.get(2).content()).isEqualTo("     1\tstep two");
                    assertThat(results.get(3).content()).contains("Permission denied").contains("file-write:");
                })
                .expectComplete()
                .verify(Duration.ofSeconds(30));
        assertThat(root.resolve("out/plan.md")).hasContent("step two");
        assertThat(root.resolve("escape.md")).doesNotExist();
        assertThat(events).filteredOn(AgentEvent.PermissionDenied.class::isInstance).hasSize(1);
    }

    /**
     * Calls of one step run concurrently: edits of one file in the same step each start from the file as the one
     * before left it, so none is lost (each edit reads, changes and replaces the whole file).
     */
    @Test
    void editsOfOneFileInOneStepAreAllKept() throws IOException {
        int lines = 24;
        var text = new StringBuilder();
        var calls = new ToolCall[lines];
        for (int i = 0; i < lines; i++) {
            text.append("line ").append(i).append(" old\n");
            calls[i] = new ToolCall("e" + i, "edit_file", "{\"path\":\"notes.md\",\"old_text\":\"line " + i
                    + " old\",\"new_text\":\"line " + i + " new\"}");
        }
        Files.writeString(root.resolve("notes.md"), text);
        Agent agent = Agent.builder()
                .model(ScriptedChatModel.of(Reply.toolCalls(calls), Reply.text("done")))
                .tools(FileSystemTools.rootedAt(root).tools())
                .grant(Capability.fileRead(root), Capability.fileWrite(root))
                .build();

        AgentResult r = agent.task("edit every line").executeBlocking();

        assertThat(toolResults(r)).hasSize(lines).allSatisfy(m -> assertThat(m.content()).startsWith("Edited"));
        assertThat(root.resolve("notes.md")).content()
                .doesNotContain("old")
                .contains("line 0 new\n")
                .contains("line " + (lines - 1) + " new\n");
    }
}
