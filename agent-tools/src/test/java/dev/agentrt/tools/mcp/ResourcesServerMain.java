package dev.agentrt.tools.mcp;

import dev.agentrt.core.memory.InMemoryVectorStore;
import dev.agentrt.core.memory.VectorStore;
import dev.agentrt.core.model.Embedding;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An {@link McpServer} serving resources and prompts over this process's stdin and stdout, run as a
 * subprocess by {@link McpServerResourcesTest} for the TypeScript SDK's client; the HTTP tests build
 * the same server in process with {@link #builder}. It serves the files of the directory named by its
 * argument (at most {@link #MAX_FILE_BYTES} bytes each), the memory namespaces {@code notes} (granted)
 * and {@code secret} (not granted), and three prompts, two resources a page.
 */
public final class ResourcesServerMain {
    static final long MAX_FILE_BYTES = 1024;

    private ResourcesServerMain() {}

    /** The server for {@code dir}, granted to read it and the {@code notes} namespace. */
    static McpServer.Builder builder(Path dir) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return builder(dir, Grants.of(Capability.fileRead(real), Capability.memoryRead("notes")));
    }

    static McpServer.Builder builder(Path dir, Grants grants) {
        VectorStore store = InMemoryVectorStore.create(2);
        Embedding e = Embedding.of(new float[]{1, 0});
        store.upsert("notes", List.of(new VectorStore.Entry("n1", e, "first note", Map.of()),
                new VectorStore.Entry("n 2/é", e, "second note", Map.of("path", "notes/second.md")))).block();
        store.upsert("secret", List.of(new VectorStore.Entry("s1", e, "the secret", Map.of()))).block();
        return McpServer.builder(StdioServerMain.tools())
                .name("resources-test")
                .grants(grants)
                .resources(McpFileResources.of(dir, "**").withMaxFileBytes(MAX_FILE_BYTES))
                .memoryResources(store, "notes")
                .memoryResources(store, "secret")
                .resourcePageSize(2)
                .prompt("review", "Review a file",
                        List.of(McpServer.PromptArgument.required("path", "the file to review"),
                                McpServer.PromptArgument.optional("focus", "what to look at")),
                        args -> List.of(Message.user("Review " + args.get("path") + " for "
                                + args.getOrDefault("focus", "bugs") + "."), Message.assistant("I will.")))
                .prompt("picky", null, List.of(McpServer.PromptArgument.required("n", null)), args -> {
                    if (!args.get("n").matches("[0-9]+")) {
                        throw new IllegalArgumentException("n must be a number, was " + args.get("n"));
                    }
                    return List.of(Message.user("n=" + args.get("n")));
                })
                .prompt("broken", "Renders what a prompt cannot hold", List.of(),
                        args -> List.of(Message.system("no system messages in MCP prompts")));
    }

    public static void main(String[] args) {
        builder(Path.of(args[0])).build().serveStdio().block();
    }
}
