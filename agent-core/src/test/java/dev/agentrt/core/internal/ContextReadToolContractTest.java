package dev.agentrt.core.internal;

import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

class ContextReadToolContractTest extends ToolContract {
    @TempDir
    Path root;

    @org.junit.jupiter.api.Test
    void readsALineRange() throws IOException {
        Files.writeString(root.resolve("three.txt"), "one\ntwo\nthree\n");
        var result = dev.agentrt.core.tool.ToolRegistry.of(tool())
                .execute(new dev.agentrt.core.model.ToolCall("1", ContextReadTool.NAME,
                        "{\"path\":\"three.txt\",\"startLine\":2,\"endLine\":3}"),
                        dev.agentrt.core.tool.ToolExecution.of("t", dev.agentrt.core.security.Principal.ANONYMOUS,
                                grants()))
                .block();
        org.assertj.core.api.Assertions.assertThat(result.content()).isEqualTo("two\nthree\n");
    }

    @Override
    protected Tool tool() {
        try {
            Files.writeString(root.resolve("notes.txt"), "hello\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ContextReadTool(root);
    }

    @Override
    protected JsonObject validArguments() {
        return JsonObject.builder().put("path", "notes.txt").build();
    }

    @Override
    protected Grants grants() {
        return Grants.of(Capability.fileRead(root));
    }
}
