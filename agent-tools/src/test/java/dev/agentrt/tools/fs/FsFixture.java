package dev.agentrt.tools.fs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Runs file-system tool calls through a real {@link ToolRegistry}, as an agent would. */
final class FsFixture {
    private FsFixture() {}

    static JsonObject.Builder args() {
        return JsonObject.builder();
    }

    static ToolResult call(FileSystemTools fs, Grants grants, String tool, JsonObject args) {
        return call(fs, grants, tool, args, null);
    }

    static ToolResult call(FileSystemTools fs, Grants grants, String tool, JsonObject args,
            @Nullable Consumer<AgentEvent> events) {
        var execution = new ToolExecution("t", Principal.ANONYMOUS, grants, null, Duration.ofSeconds(30), events,
                ToolAccess.ALL);
        return ToolRegistry.of(fs.tools())
                .execute(new ToolCall("c1", tool, args.toJson()), execution)
                .block(Duration.ofSeconds(30));
    }

    static void symlink(Path link, Path target) throws IOException {
        try {
            Files.createSymbolicLink(link, target);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "this file system cannot make symbolic links: " + e);
        }
    }

    /** Names of temporary files the atomic writes might have left below {@code dir}. */
    static long tempFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        }
    }
}
