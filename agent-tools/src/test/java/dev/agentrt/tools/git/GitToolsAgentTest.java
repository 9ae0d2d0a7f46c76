package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.commit;
import static dev.agentrt.tools.git.GitFixture.init;
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
import dev.agentrt.tools.fs.FileSystemTools;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The git tools inside a real agent loop with a scripted model: the flagship flow, and what its grants allow. */
class GitToolsAgentTest {
    @TempDir
    Path root;

    Git git;

    @BeforeEach
    void repository() throws Exception {
        git = init(root);
        commit(git, "Initial", "src/Calc.java", "class Calc { int add(int a, int b) { return a - b; } }\n");
    }

    private static List<Message.ToolResult> toolResults(AgentResult r) {
        return r.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
    }

    private ScriptedChatModel fixTheBug() {
        return ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("b", "git_branch", "{\"name\":\"fix/add\",\"create\":true}")),
                Reply.toolCalls(new ToolCall("e", "edit_file",
                        "{\"path\":\"src/Calc.java\",\"old_text\":\"a - b\",\"new_text\":\"a + b\"}")),
                Reply.toolCalls(new ToolCall("a", "git_add", "{\"paths\":[\"src\"]}")),
                Reply.toolCalls(new ToolCall("c", "git_commit", "{\"message\":\"Fix Calc.add\\n\\nIt subtracted.\"}")),
                Reply.toolCalls(new ToolCall("p", "git_format_patch",
                        "{\"base\":\"main\",\"title\":\"Fix Calc.add\",\"description\":\"add subtracted.\"}")),
                Reply.text("done"));
    }

    private Agent agent(ScriptedChatModel model, List<AgentEvent> events, Capability... grants) {
        var tools = new ArrayList<dev.agentrt.core.tool.Tool>(FileSystemTools.rootedAt(root).tools());
        tools.addAll(GitTools.builder(root).author("Fixer", "fixer@example.com").clock(CLOCK).build().tools());
        return Agent.builder().model(model).tools(tools).grant(grants).listener(events::add).build();
    }

    @Test
    void anAgentBranchesFixesCommitsAndWritesThePatchSeries() throws Exception {
        var events = new CopyOnWriteArrayList<AgentEvent>();
        Agent agent = agent(fixTheBug(), events, Capability.fileRead(root), Capability.fileWrite(root),
                GitTools.commitCapability(root));

        StepVerifier.create(agent.task("fix the bug in Calc and propose the change").execute())
                .assertNext(r -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.COMPLETED);
                    assertThat(toolResults(r)).extracting(Message.ToolResult::error)
                            .as(toolResults(r).toString())
                            .containsOnly(false);
                })
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        assertThat(git.getRepository().getBranch()).isEqualTo("fix/add");
        assertThat(git.log().setMaxCount(1).call().iterator().next().getShortMessage()).isEqualTo("Fix Calc.add");
        assertThat(root.resolve("patches/0001-Fix-Calc.add.patch")).content()
                .contains("+class Calc { int add(int a, "
                        + "int b) { return a + b; } }");
        assertThat(root.resolve("patches/PR.md")).content().startsWith("# Fix Calc.add\n\nadd subtracted.");
        assertThat(events).filteredOn(AgentEvent.PermissionDenied.class::isInstance).isEmpty();
    }

    @Test
    void withoutTheCommitCapabilityTheCommitIsDeniedAndExplainedToTheModel() throws Exception {
        var events = new CopyOnWriteArrayList<AgentEvent>();
        ObjectId before = git.getRepository().resolve("HEAD");
        Agent agent = agent(fixTheBug(), events, Capability.fileRead(root), Capability.fileWrite(root));

        StepVerifier.create(agent.task("fix the bug").execute())
                .assertNext(r -> {
                    List<Message.ToolResult> results = toolResults(r);
                    assertThat(results).extracting(Message.ToolResult::callId)
                            .containsExactly("b", "e", "a", "c", "p");
                    assertThat(results).extracting(Message.ToolResult::error)
                            .containsExactly(false, false, false, true, true);
                    assertThat(results.get(3).content()).contains("Permission denied", "git:commit");
                    assertThat(results.get(4).content()).contains("no commits after main");
                })
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        assertThat(git.getRepository().resolve("fix/add")).isEqualTo(before);
        assertThat(events).filteredOn(AgentEvent.PermissionDenied.class::isInstance).hasSize(1);
        assertThat(root.resolve("patches")).doesNotExist();
    }

    @Test
    void aReadOnlyGrantLetsTheAgentLookButNotChangeTheRepository() throws Exception {
        var events = new CopyOnWriteArrayList<AgentEvent>();
        var model = ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("s", "git_status", "{}"), new ToolCall("l", "git_log", "{}")),
                Reply.toolCalls(new ToolCall("b", "git_branch", "{\"name\":\"x\",\"create\":true}")),
                Reply.text("done"));
        Agent agent = agent(model, events, Capability.fileRead(root));

        StepVerifier.create(agent.task("look").execute())
                .assertNext(r -> {
                    assertThat(toolResults(r)).extracting(Message.ToolResult::error)
                            .containsExactly(false, false, true);
                    assertThat(toolResults(r).get(2).content()).contains("file-write:");
                })
                .expectComplete()
                .verify(Duration.ofSeconds(60));
        assertThat(git.getRepository().resolve("refs/heads/x")).isNull();
    }
}
