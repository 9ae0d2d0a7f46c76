package dev.agentrt.tools.mcp;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * An {@link McpServer} whose tools change while it serves, over this process's stdin and stdout, for the list-change
 * tests whose client runs the server as a subprocess. Its tools let the client drive what the application would:
 * {@code add_greet} adds the tool {@code greet} ({@link McpServer#addTool}), {@code remove_greet} removes it ({@link
 * McpServer#removeTool}); {@code add_review} and {@code remove_review} do the same with the prompt {@code review}
 * beside the prompt {@code hello} it was built with; each answers once the clients have been told.
 */
public final class ListChangingServerMain {
    private ListChangingServerMain() {}

    /** The tool the client adds and removes: {@code greet} answers {@code Hello, <who>!}. */
    static Tool greet() {
        return Tool.builder("greet")
                .description("Greets someone")
                .parameters(JsonValue.parse("""
                        {"type":"object","properties":{"who":{"type":"string"}},"required":["who"]}""").asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.text("Hello, " + args.getString("who").orElseThrow()
                        + "!")))
                .build();
    }

    /** A server with {@code add_greet} and {@code remove_greet}, configured further by {@code configure}. */
    static McpServer server(UnaryOperator<McpServer.Builder> configure) {
        var self = new AtomicReference<McpServer>();
        Tool add = Tool.builder("add_greet")
                .description("Adds the tool greet")
                .handler((args, ctx) -> self.get()
                        .addTool(greet())
                        .thenReturn(ToolResult.text("added"))
                        .onErrorResume(IllegalArgumentException.class, e -> Mono.just(ToolResult.text(e
                                .getMessage()))))
                .build();
        Tool remove = Tool.builder("remove_greet")
                .description("Removes the tool greet")
                .handler((args, ctx) -> self.get()
                        .removeTool("greet")
                        .map(removed -> ToolResult.text(removed ? "removed" : "not served")))
                .build();
        Tool addReview = Tool.builder("add_review")
                .description("Adds the prompt review")
                .handler((args, ctx) -> self.get()
                        .addPrompt("review", "Review a file",
                                List.of(McpServer.PromptArgument.required("path", "the file")),
                                given -> List.of(Message.user("Review " + given.get("path") + " for bugs.")))
                        .thenReturn(ToolResult.text("added")))
                .build();
        Tool removeReview = Tool.builder("remove_review")
                .description("Removes the prompt review")
                .handler((args, ctx) -> self.get()
                        .removePrompt("review")
                        .map(removed -> ToolResult.text(removed ? "removed" : "not served")))
                .build();
        McpServer server = configure.apply(McpServer.builder(List.of(add, remove, addReview, removeReview))
                .name("list-changing")
                .prompt("hello", "Says hello", List.of(), given -> List.of(Message.user("Hello!"))))
                .build();
        self.set(server);
        return server;
    }

    public static void main(String[] args) {
        server(b -> b).serveStdio().block();
    }
}
