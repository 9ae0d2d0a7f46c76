package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.tools.fs.FileSystemTools;
import dev.agentrt.tools.web.WebBrowser;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shows: an agent with the file tools of one directory and the web browser, reading a file and a page on 127.0.0.1
 * (loopback is refused unless a grant names it exactly, as here) and writing notes; a read outside is refused.
 * Needs: nothing (offline, scripted model); the same environment variables as {@link QuickStart} for a real model.
 * You will see: each tool call and its result, the refusal, and the notes file the agent wrote.
 */
public final class FilesAndWeb {
    private FilesAndWeb() {}

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // --report run.html writes an HTML report of the run
    }

    /** The recipe: file tools rooted at a directory, a browser, and grants for exactly what the task needs. */
    static AgentResult recipe(ChatModel model, Path project, URI checklist, AgentEvent.Listener events,
            PrintStream out) {
        Agent agent = Agent.builder()
                .model(model)
                .instructions("You plan releases. Read PLAN.md and the checklist at " + checklist + ".")
                .tools(FileSystemTools.rootedAt(project), WebBrowser.create())
                .grant(Capability.fileRead(project), // anything in the project
                        Capability.fileWrite(project.resolve("NOTES.md")), // this one file
                        Capability.net(checklist.getHost(), checklist.getPort())) // 127.0.0.1 on this port only
                .listener(events) // prints each event as it happens (and records it for a report)
                .build();
        AgentResult result = agent.task("What is left before the release? Write it to NOTES.md.").executeBlocking();
        out.println("Answer: " + result.text());
        out.println("NOTES.md: " + readIfExists(project.resolve("NOTES.md")));
        return result;
    }

    /** Runs the recipe over a sample project and checklist page; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env, String... args) {
        try (Offline offline = Offline.start(out, env, args)) {
            Path project = offline.directory(Map.of("PLAN.md", "- finish the tools module\n- release 0.1\n"));
            URI checklist = offline.serve("/checklist", "text/html; charset=utf-8", """
                    <html><head><title>Release checklist</title></head><body>
                    <h1>Release checklist</h1><ul><li>Tag the release</li><li>Publish the BOM</li></ul>
                    <p>See <a href="/changelog">the changelog</a>.</p></body></html>""");
            return recipe(offline.model(() -> scripted(checklist)), project, checklist, offline.listener(), out);
        }
    }

    /** Offline: read the plan, the checklist and a file outside the project in one step; write notes; answer. */
    private static ChatModel scripted(URI checklist) {
        return ScriptedChatModel.of(
                Reply.toolCalls(new ToolCall("c1", "read_file", "{\"path\":\"PLAN.md\"}"),
                        new ToolCall("c2", "web_browse", "{\"url\":\"" + checklist + "\"}"),
                        new ToolCall("c3", "read_file", "{\"path\":\"/etc/passwd\"}")),
                Reply.toolCall("write_file",
                        """
                                {"path":"NOTES.md","content":"- finish the tools module\\n- tag the release\\n- publish the BOM\\n"}"""),
                Reply.text("Left: finish the tools module, tag the release, publish the BOM. Written to NOTES.md."));
    }

    private static String readIfExists(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).strip() : "(not written)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
