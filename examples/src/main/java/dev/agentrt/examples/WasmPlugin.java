package dev.agentrt.examples;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.model.ChatModel;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.security.Capability;
import dev.agentrt.examples.support.Offline;
import dev.agentrt.sandbox.PluginManifest;
import dev.agentrt.sandbox.WasmTool;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Shows: a WebAssembly plugin as a tool ({@code WasmTool.load} with its {@link PluginManifest}: name, schema, hosts it
 * may reach); it fetches a page on 127.0.0.1 through the host's egress layer and can reach nothing else.
 * Needs: nothing (offline, scripted model; the plugin is bundled); QuickStart's variables for a real model.
 * You will see: what the manifest asks for, the plugin's call and what it fetched, and the agent's answer.
 */
public final class WasmPlugin {
    private WasmPlugin() {}

    public static void main(String[] args) {
        run(System.out, System.getenv(), args); // --report run.html writes an HTML report of the run
    }

    /** The recipe: load a plugin with its manifest, and grant what the manifest asks for. */
    static AgentResult recipe(ChatModel model, Path plugins, URI health, AgentEvent.Listener events, PrintStream out)
            throws IOException {
        PluginManifest manifest = PluginManifest.parse(Files.readString(plugins.resolve("http_status.json")));
        WasmTool status = WasmTool.load(plugins.resolve("http_status.wasm"), manifest); // a fresh instance per call
        out.println("Plugin " + manifest.name() + " asks for "
                + manifest.capabilities().stream().map(Capability::describe).toList());
        Agent agent = Agent.builder()
                .model(model)
                .tools(status)
                .grant(Capability.net("127.0.0.1")) // a call runs only if the grants cover the manifest
                .listener(events) // prints each event as it happens (and records it for a report)
                .build();
        AgentResult result = agent.task("Is the service at " + health + " up? Use http_status.").executeBlocking();
        out.println("Answer: " + result.text());
        return result;
    }

    /** Runs the recipe against a health page served on 127.0.0.1; {@code main} and the test call it. */
    static AgentResult run(PrintStream out, Map<String, String> env, String... args) {
        try (Offline offline = Offline.start(out, env, args)) {
            URI health = offline.serve("/health", "application/json", "{\"status\":\"up\",\"version\":\"0.1.0\"}");
            return recipe(offline.model(() -> scripted(health)), offline.plugins(), health, offline.listener(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Offline: call the plugin once, then answer. */
    private static ChatModel scripted(URI health) {
        return ScriptedChatModel.of(Reply.toolCall("http_status", "{\"url\":\"" + health + "\"}"),
                Reply.text("Yes: the service answered 200 and reports status up (version 0.1.0)."));
    }
}
