package dev.agentrt.examples;

import com.sun.net.httpserver.HttpServer;
import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.tools.fs.FileSystemTools;
import dev.agentrt.tools.web.WebBrowser;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shows: an agent with the file system tools of one directory and the web browser, reading a local
 * file, reading a page served on 127.0.0.1 (loopback is refused unless a grant names it exactly, as
 * here), and writing its notes back; a read outside the directory is refused.
 * Needs: nothing (offline, scripted); the same environment variables as {@link QuickStart} for a real model.
 * You will see: each tool call and its result, the refusal, and the notes file the agent wrote.
 */
public final class FilesAndWeb {
    private FilesAndWeb() {}

    public static void main(String[] args) throws IOException {
        run(System.out, System.getenv());
    }

    static AgentResult run(PrintStream out, Map<String, String> env) throws IOException {
        Path project = Files.createTempDirectory("agentrt-files-web");
        HttpServer docs = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        docs.createContext("/", exchange -> {
            byte[] page = """
                    <html><head><title>Release checklist</title></head><body>
                    <h1>Release checklist</h1><ul><li>Tag the release</li><li>Publish the BOM</li></ul>
                    <p>See <a href="/changelog">the changelog</a>.</p></body></html>"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(page);
            }
        });
        docs.start();
        try {
            Files.writeString(project.resolve("TODO.md"), "- finish the tools module\n- release 0.1\n");
            String docsUrl = "http://127.0.0.1:" + docs.getAddress().getPort() + "/";
            FileSystemTools files = FileSystemTools.rootedAt(project);
            Agent agent = Agent.builder()
                    .model(model(out, env, docsUrl))
                    .instructions("You plan releases. Read the project's TODO and the release checklist at "
                            + docsUrl + ", then write NOTES.md with what is left.")
                    .tools(files, WebBrowser.create())
                    .grant(Capability.fileRead(project), Capability.fileWrite(project.resolve("NOTES.md")),
                            Capability.net("127.0.0.1", docs.getAddress().getPort()))
                    .maxSteps(8)
                    .build();

            AgentResult result = agent.task("What is left before the release? Write it down.")
                    .stream()
                    .doOnNext(e -> print(out, e))
                    .ofType(AgentEvent.Completed.class)
                    .map(AgentEvent.Completed::result)
                    .blockLast();
            out.println();
            out.println("Answer: " + result.text());
            Path notes = project.resolve("NOTES.md");
            out.println("NOTES.md: " + (Files.exists(notes) ? Files.readString(notes).strip() : "(not written)"));
            return result;
        } finally {
            docs.stop(0);
            try (var paths = Files.walk(project)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static ChatModel model(PrintStream out, Map<String, String> env, String docsUrl) {
        boolean hosted = env.containsKey("ANTHROPIC_API_KEY") || env.containsKey("OPENAI_API_KEY")
                || env.containsKey("OPENAI_BASE_URL") && env.containsKey("AGENT_MODEL");
        if (hosted) {
            return QuickStart.model(out, env);
        }
        out.println("Running OFFLINE on a scripted model.");
        return ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("c1", "read_file", "{\"path\":\"TODO.md\"}"),
                        new ToolCall("c2", "web_browse", "{\"url\":\"" + docsUrl + "\"}"),
                        new ToolCall("c3", "read_file", "{\"path\":\"/etc/passwd\"}")),
                Reply.toolCall("write_file",
                        """
                                {"path":"NOTES.md","content":"- finish the tools module\\n- tag the release\\n- publish the BOM\\n"}"""),
                Reply.text("Left: finish the tools module, tag the release, publish the BOM. Written to NOTES.md."));
    }

    private static void print(PrintStream out, AgentEvent event) {
        switch (event) {
            case AgentEvent.ToolCallRequested e -> out.println("→ " + e.call().name() + " " + e.call().arguments());
            case AgentEvent.ToolCallCompleted e -> out.println("← " + e.call().name() + ": "
                    + abbreviate(e.result()));
            case AgentEvent.ToolCallFailed e -> out.println("✗ " + e.call().name() + " (" + e.kind() + "): "
                    + abbreviate(e.message()));
            default -> {
            }
        }
    }

    private static String abbreviate(String text) {
        String line = text.strip().replace("\n", " | ");
        return line.length() <= 160 ? line : line.substring(0, 160) + "…";
    }
}
