package dev.agentrt.sandbox;

import static dev.agentrt.sandbox.TestModules.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

class WasmToolTest {
    static PluginServer server;

    @BeforeAll
    static void start() {
        server = new PluginServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static PluginManifest shippedManifest() {
        try (InputStream in = WasmToolTest.class.getResourceAsStream("/plugins/http_status.json")) {
            return PluginManifest.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static WasmTool plugin() {
        return WasmTool.load(wasm("http_status"), shippedManifest(), Sandbox.create());
    }

    private static ToolResult call(WasmTool tool, String url, Grants grants) {
        String args = JsonObject.builder().put("url", url).build().toJson();
        return ToolRegistry.of(tool)
                .execute(new ToolCall("call-1", tool.spec().name(), args),
                        ToolExecution.of("task-1", Principal.ANONYMOUS, grants))
                .block(Duration.ofSeconds(30));
    }

    @Test
    void theManifestBecomesTheToolsSpecAndRequirements() {
        WasmTool tool = plugin();
        assertThat(tool.spec().name()).isEqualTo("http_status");
        assertThat(tool.spec().parameters().getArray("required").orElseThrow().items())
                .containsExactly(JsonValue.of("url"));
        assertThat(tool.requiredCapabilities(JsonObject.EMPTY)).containsExactly(Capability.net("127.0.0.1"));
    }

    @Test
    void aGrantedHostIsFetchedThroughTheHostFunction() {
        int before = server.hits.get();
        ToolResult r = call(plugin(), server.url("/ping"), Grants.of(Capability.net("127.0.0.1")));
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(JsonValue.parse(r.content())).isEqualTo(JsonValue.parse("""
                {"status":200,"body":"pong","truncated":false}"""));
        assertThat(server.hits.get()).isEqualTo(before + 1);
    }

    @Test
    void aHostTheManifestDoesNotListIsNeverContacted() {
        int before = server.hits.get();
        Grants everything = Grants.of(Capability.net("127.0.0.1"), Capability.net("localhost"));
        ToolResult r = call(plugin(), "http://localhost:" + server.port() + "/ping", everything);
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("manifest does not list the host localhost");
        ToolResult redirected = call(plugin(), server.url("/away"), everything);
        assertThat(redirected.content()).contains("manifest does not list the host localhost");
        assertThat(server.hits.get()).as("only the redirect itself was served").isEqualTo(before + 1);
    }

    @Test
    void aManifestAskingForMoreThanTheAgentHasIsRefusedBeforeThePluginRuns(@TempDir Path dir) {
        int before = server.hits.get();
        PluginManifest base = shippedManifest();
        var greedy = new PluginManifest(base.name(), base.description(), base.inputSchema(), base.hosts(),
                List.of(Mount.readOnly(dir, "/data")), List.of("HOME"));
        WasmTool tool = WasmTool.load(wasm("http_status"), greedy, Sandbox.create());
        ToolResult r = call(tool, server.url("/ping"), Grants.of(Capability.net("127.0.0.1")));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(server.hits.get()).isEqualTo(before);
        // Invoked directly, bypassing the registry, the plugin refuses just the same.
        ToolResult direct = tool.invoke(JsonObject.builder().put("url", server.url("/ping")).build(),
                new GrantsOnly(Grants.of(Capability.net("127.0.0.1")))).block(Duration.ofSeconds(30));
        assertThat(direct.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(direct.content()).contains("env:HOME");
        assertThat(server.hits.get()).isEqualTo(before);
    }

    @Test
    void aPluginWithoutTheAbiExportsFailsWithTheReason() {
        WasmTool notAPlugin = WasmTool.load(wasm("hello"), shippedManifest(), Sandbox.create());
        ToolResult r = call(notAPlugin, server.url("/ping"), Grants.of(Capability.net("127.0.0.1")));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("alloc");
        WasmTool garbage = WasmTool.load("not wasm".getBytes(StandardCharsets.UTF_8), shippedManifest());
        ToolResult invalid = call(garbage, server.url("/ping"), Grants.of(Capability.net("127.0.0.1")));
        assertThat(invalid.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(invalid.content()).contains("not a valid WebAssembly module");
    }

    @Test
    void aPluginReadsTheDirectoryItsManifestMountsThroughWasi(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("answer.json"), "{\"answer\":42}");
        var manifest = new PluginManifest("answer", "Reads the answer",
                JsonObject.builder().put("type", "object").build(),
                List.of(), List.of(Mount.readOnly(dir, "/data")), List.of());
        WasmTool tool = WasmTool.load(wasm("file_plugin"), manifest, Sandbox.create());
        ToolResult r = ToolRegistry.of(tool)
                .execute(new ToolCall("c", "answer", "{}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(Capability.fileRead(dir))))
                .block(Duration.ofSeconds(30));
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(JsonValue.parse(r.content())).isEqualTo(JsonValue.parse("{\"answer\":42}"));
        ToolResult denied = ToolRegistry.of(tool)
                .execute(new ToolCall("c", "answer", "{}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.none()))
                .block(Duration.ofSeconds(30));
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
    }

    @Test
    void aPluginThatNeverReturnsIsStoppedAtTheSandboxTimeLimit() {
        Sandbox quick = Sandbox.builder().limits(SandboxLimits.DEFAULT.withTimeout(Duration.ofMillis(300))).build();
        WasmTool spin = WasmTool.load(wasm("spin_plugin"), shippedManifest(), quick);
        ToolResult r = spin.invoke(JsonObject.EMPTY, new GrantsOnly(Grants.of(Capability.net("127.0.0.1"))))
                .block(Duration.ofSeconds(30));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        assertThat(r.content()).contains("300 ms");
    }

    @Test
    void cancellingAPluginCallInterruptsIt() {
        Scheduler scheduler = Schedulers.newBoundedElastic(1, 10, "plugin-cancel-test");
        try {
            Sandbox oneThread = Sandbox.builder()
                    .limits(SandboxLimits.DEFAULT.withTimeout(Duration.ofMinutes(5)))
                    .scheduler(scheduler)
                    .build();
            WasmTool spin = WasmTool.load(wasm("spin_plugin"), shippedManifest(), oneThread);
            StepVerifier.create(spin.invoke(JsonObject.EMPTY, new GrantsOnly(Grants.of(Capability.net("127.0.0.1")))))
                    .expectSubscription()
                    .thenAwait(Duration.ofMillis(200))
                    .thenCancel()
                    .verify(Duration.ofSeconds(10));
            // The only thread is free again: the plugin did not keep running.
            RunResult next = oneThread.run(wasm("hello"), RunRequest.empty()).block(Duration.ofSeconds(10));
            assertThat(next.outcome()).isEqualTo(RunOutcome.OK);
        } finally {
            scheduler.dispose();
        }
    }

    @Test
    void anAgentCallsThePluginToolEndToEnd() {
        var model = ScriptedChatModel.of(
                Reply.toolCall("http_status", JsonObject.builder().put("url", server.url("/ping")).build().toJson()),
                Reply.text("the service answered"));
        Agent agent = Agent.builder().model(model).tools(plugin()).grant(Capability.net("127.0.0.1")).build();
        AgentResult result = agent.task("Is the service up?").execute().block(Duration.ofSeconds(30));
        assertThat(result.text()).isEqualTo("the service answered");
        List<Message.ToolResult> results = result.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
        assertThat(results).hasSize(1);
        assertThat(results.get(0).error()).isFalse();
        assertThat(results.get(0).content()).contains("\"body\":\"pong\"");
    }

    @Test
    void badManifestsAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> PluginManifest.parse("[]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> PluginManifest.parse("{\"description\":\"d\",\"input_schema\":{\"type\":\"object\"}}"))
                .hasMessageContaining("name");
        assertThatThrownBy(() -> PluginManifest.parse("""
                {"name":"x","description":"d","input_schema":{"type":"string"}}"""))
                .hasMessageContaining("input_schema");
        assertThatThrownBy(() -> PluginManifest.parse("""
                {"name":"x","description":"d","input_schema":{"type":"object"},"capabilities":{"hosts":["h:port"]}}"""))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> PluginManifest.parse("""
                {"name":"x","description":"d","input_schema":{"type":"object"},
                 "capabilities":{"files":[{"path":"/srv","mount":"/a/b"}]}}""")).hasMessageContaining("guestPath");
    }

    /** A context that carries grants and nothing else, for calling a tool without the registry. */
    record GrantsOnly(Grants grants) implements ToolContext {
        @Override
        public String taskId() {
            return "direct";
        }

        @Override
        public String callId() {
            return "direct-1";
        }

        @Override
        public Principal principal() {
            return Principal.ANONYMOUS;
        }

        @Override
        public Mono<Void> require(List<Capability> capabilities) {
            return Mono.empty();
        }
    }
}
