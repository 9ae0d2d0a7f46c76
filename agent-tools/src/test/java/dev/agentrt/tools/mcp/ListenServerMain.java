package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An {@link McpServer} serving the files of the directory named by its argument (granted to read them) over this
 * process's stdin and stdout, for the {@code subscriptions/listen} tests whose client runs the server as a
 * subprocess. Its tools let the client drive what the application would: {@code touch} calls {@link
 * McpServer#resourceUpdated} for its {@code uri}, {@code listens} answers how many listens the server has open.
 */
public final class ListenServerMain {
    private ListenServerMain() {}

    static McpServer server(Path dir) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        var self = new AtomicReference<McpServer>();
        Tool touch = Tool.builder("touch")
                .description("Tells the server's listeners that a resource changed")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"uri":{"type":"string"}},"required":["uri"]}""").asObject())
                .handler((args, ctx) -> self.get()
                        .resourceUpdated(args.getString("uri").orElseThrow())
                        .thenReturn(ToolResult.text("touched")))
                .build();
        Tool listens = Tool.builder("listens")
                .description("How many subscriptions/listen the server has open")
                .handler((args, ctx) -> Mono.fromSupplier(() -> ToolResult.text(
                        Integer.toString(self.get().openListens()))))
                .build();
        McpServer server = McpServer.builder(List.of(touch, listens))
                .name("listen-test")
                .grants(Grants.of(Capability.fileRead(real)))
                .resources(McpFileResources.of(real, "**"))
                .build();
        self.set(server);
        return server;
    }

    public static void main(String[] args) {
        server(Path.of(args[0])).serveStdio().block();
    }
}
