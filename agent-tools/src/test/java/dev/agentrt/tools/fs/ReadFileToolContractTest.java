package dev.agentrt.tools.fs;

import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class ReadFileToolContractTest extends ToolContract {
    @TempDir
    Path root;

    private Tool tool;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(root.resolve("notes.txt"), "one\ntwo\n");
        tool = FileSystemTools.rootedAt(root).tool(FileSystemTools.READ_FILE).orElseThrow();
    }

    @Override
    protected Tool tool() {
        return tool;
    }

    @Override
    protected JsonObject validArguments() {
        return JsonObject.builder().put("path", "notes.txt").put("offset", 2).build();
    }

    @Override
    protected Grants grants() {
        return Grants.of(Capability.fileRead(root));
    }

    @org.junit.jupiter.api.Test
    void theToolUnderContractIsReadFile() {
        org.assertj.core.api.Assertions.assertThat(tool.spec().name()).isEqualTo(FileSystemTools.READ_FILE);
        org.assertj.core.api.Assertions.assertThat(tool.blocking()).isTrue();
    }
}
