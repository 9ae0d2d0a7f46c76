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
