package dev.agentrt.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class CodeExecutorContractTest extends ToolContract {
    @TempDir
    Path dir;

    private CodeExecutor executor;
    private Path input;

    @BeforeEach
    void setUp() throws IOException {
        input = Files.writeString(dir.resolve("input.txt"), "forty-two");
        executor = CodeExecutor.create(CodeExecutor.Options.DEFAULT.withPoolSize(1));
    }

    @AfterEach
    void tearDown() {
        executor.close();
    }

    @Override
    protected Tool tool() {
        return executor;
    }

    @Override
    protected JsonObject validArguments() {
        return JsonValue.parse("""
                {"language":"javascript","code":"readFile(%s).length","files":[{"path":%s,"access":"read"}]}"""
                .formatted(JsonValue.of(input.toString()).toJson().replace("\"", "\\\""),
                        JsonValue.of(input.toString()).toJson()))
                .asObject();
    }

    @Override
    protected Grants grants() {
        return Grants.of(Capability.fileRead(dir));
    }

    @Test
    void theToolUnderContractIsTheCodeExecutorAndSchedulesItsOwnWork() {
        assertThat(executor.spec().name()).isEqualTo(CodeExecutor.NAME);
        assertThat(executor.blocking()).isFalse();
        assertThat(executor.spec().parameters().toJson()).contains("\"javascript\"", "\"python\"");
        assertThat(executor.requiredCapabilities(validArguments())).containsExactly(Capability.fileRead(input));
    }
}
