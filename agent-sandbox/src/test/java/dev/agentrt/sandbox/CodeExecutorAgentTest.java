package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

class CodeExecutorAgentTest {
    @TempDir
    Path dir;

    @Test
    void anAgentAsksForCodeToRunAndReadsItsResult() throws IOException {
        Path data = Files.writeString(dir.resolve("numbers.txt"), "3\n5\n8\n");
        String args = """
                {"language":"javascript","code":%s,"files":[{"path":%s,"access":"read"}]}""".formatted(
                JsonValue.of("const n = readFile(%s).trim().split('\\n').map(Number);\nconsole.log('read', n.length);\n"
                        .formatted(JsonValue.of(data.toString()).toJson()) + "n.reduce((a, b) => a + b, 0)").toJson(),
                JsonValue.of(data.toString()).toJson());
        var model = ScriptedChatModel.of(Reply.toolCall(CodeExecutor.NAME, args), Reply.text("The sum is 16."));

        try (var executor = CodeExecutor.javascript()) {
            Agent agent = Agent.builder()
                    .model(model)
                    .tools(executor)
                    .grant(Capability.fileRead(dir))
                    .build();
            AgentResult result = agent.task("Add up the numbers in numbers.txt").execute().block(Duration.ofMinutes(1));

            assertThat(result.text()).isEqualTo("The sum is 16.");
            Message.ToolResult toolResult = result.transcript()
                    .stream()
                    .filter(Message.ToolResult.class::isInstance)
                    .map(Message.ToolResult.class::cast)
                    .findFirst()
                    .orElseThrow();
            assertThat(toolResult.error()).as(toolResult.content()).isFalse();
            ExecutionResult ran = ExecutionResult.fromJson(JsonValue.parse(toolResult.content()).asObject());
            assertThat(ran.value()).isEqualTo(JsonValue.of(16));
            assertThat(ran.stdout()).isEqualTo("read 3\n");
            assertThat(model.requests().get(0).tools()).extracting(ToolSpec::name).containsExactly(CodeExecutor.NAME);
        }
    }

    @Test
    void withoutTheGrantTheAgentIsToldTheCallWasDenied() throws IOException {
        Path data = Files.writeString(dir.resolve("secret.txt"), "s");
        String args = """
                {"language":"javascript","code":"1","files":[{"path":%s,"access":"read"}]}"""
                .formatted(JsonValue.of(data.toString()).toJson());
        var model = ScriptedChatModel.of(Reply.toolCall(CodeExecutor.NAME, args), Reply.text("I may not read it."));

        try (var executor = CodeExecutor.javascript()) {
            AgentResult result = Agent.builder()
                    .model(model)
                    .tools(executor)
                    .build()
                    .task("Read secret.txt")
                    .execute()
                    .block(Duration.ofMinutes(1));

            Message.ToolResult toolResult = result.transcript()
                    .stream()
                    .filter(Message.ToolResult.class::isInstance)
                    .map(Message.ToolResult.class::cast)
                    .findFirst()
                    .orElseThrow();
            assertThat(toolResult.error()).isTrue();
            assertThat(toolResult.content()).contains("file-read:" + data);
        }
    }
}
