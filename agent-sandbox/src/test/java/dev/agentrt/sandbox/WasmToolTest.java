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
import dev.agentrt.core.testing.TestNetwork;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

class WasmToolTest {
    static PluginServer server;

    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly();

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

    /** The shipped plugin, with {@code hosts} and {@code private_hosts} as given, on the test's network. */
    WasmTool pluginReaching(List<String> hosts, List<String> privateHosts) {
        PluginManifest base = shippedManifest();
        var manifest = new PluginManifest(base.name(), base.description(), base.inputSchema(), hosts, privateHosts,
                List.of(), List.of());
        return WasmTool.load(wasm("http_status"), manifest, Sandbox.create(), net.network());
    }

    String rebindUrl(String path) {
        return "http://rebind.test:" + server.port() + path;
    }

    @Test
    void theHostFunctionConnectsToTheCheckedAddressEvenIfTheNameWouldResolveDifferentlyLater() {
        // A rebinding resolver: the first answer is checked and allowed; any later lookup would say 10.0.0.9.
        net.answers("rebind.test", List.of("127.0.0.1"), List.of("10.0.0.9"));
        int before = server.hits.get();
        ToolResult r = call(pluginReaching(List.of(), List.of("rebind.test")), rebindUrl("/ping"),
                Grants.of(Capability.net("rebind.test").allowingPrivateAddresses()));
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(JsonValue.parse(r.content())).isEqualTo(JsonValue.parse("""
                {"status":200,"body":"pong","truncated":false}"""));
        assertThat(server.hits.get()).isEqualTo(before + 1);
        assertThat(net.lookups()).as("resolved once, by the egress layer").containsExactly("rebind.test");
        assertThat(net.connects()).containsExactly(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.port()));
    }

    @Test
    void aGrantedNameThatResolvesToLoopbackIsRefusedUnlessBothGrantAndManifestAllowPrivateAddresses() {
        net.answer("rebind.test", "127.0.0.1");
        int before = server.hits.get();
        ToolResult plain = call(pluginReaching(List.of("rebind.test"), List.of()), rebindUrl("/ping"),
                Grants.of(Capability.net("rebind.test")));
        assertThat(plain.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(plain.content()).contains("127.0.0.1", "loopback");
        // The task allows private addresses, the manifest does not ask for them: the plugin gets the intersection.
        ToolResult taskOnly = call(pluginReaching(List.of("rebind.test"), List.of()), rebindUrl("/ping"),
                Grants.of(Capability.net("rebind.test").allowingPrivateAddresses()));
        assertThat(taskOnly.content()).contains("loopback");
        // The manifest asks for private addresses, the task grants only public ones: refused before the plugin runs.
        ToolResult manifestOnly = call(pluginReaching(List.of(), List.of("rebind.test")), rebindUrl("/ping"),
                Grants.of(Capability.net("rebind.test")));
        assertThat(manifestOnly.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(manifestOnly.content()).contains("net-private:rebind.test");
        assertThat(net.connects()).isEmpty();
        assertThat(server.hits.get()).isEqualTo(before);
    }

    @Test
    void aManifestNamingTheLoopbackAddressDoesNotStretchAWildcardGrantToIt() {
        int before = server.hits.get();
        ToolResult r = call(pluginReaching(List.of("127.0.0.1"), List.of()), server.url("/ping"),
                Grants.of(Capability.net("*")));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("loopback");
        assertThat(net.connects()).isEmpty();
        assertThat(server.hits.get()).isEqualTo(before);
    }

    @Test
    void aRedirectOfThePluginsRequestToTheMetadataAddressIsRefused() {
        net.answer("rebind.test", "127.0.0.1");
        net.answer("sneaky.test", "169.254.169.254");
        ToolResult r = call(pluginReaching(List.of(), List.of("rebind.test", "sneaky.test")), rebindUrl("/to-metadata"),
                Grants.of(Capability.net("rebind.test").allowingPrivateAddresses(),
                        Capability.net("sneaky.test").allowingPrivateAddresses()));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("169.254.169.254", "metadata");
        assertThat(net.connects()).hasSize(1);
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
                    .verify(Duration.ofSeconds(30));
            // The only thread is free again: the plugin did not keep running.
            RunResult next = oneThread.run(wasm("hello"), RunRequest.empty()).block(Duration.ofSeconds(30));
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
        assertThatThrownBy(() -> PluginManifest
                .parse("""
                        {"name":"x","description":"d","input_schema":{"type":"object"},"capabilities":{"private_hosts":["*"]}}"""))
                .hasMessageContaining("private host '*'");
    }

    @Test
    void privateHostsInTheManifestAskForGrantsThatAllowPrivateAddresses() {
        PluginManifest m = PluginManifest.parse("""
                {"name":"x","description":"d","input_schema":{"type":"object"},
                 "capabilities":{"hosts":["api.example.com"],"private_hosts":["devbox.lan:8080","*.corp.example"]}}""");
        assertThat(m.privateHosts()).containsExactly("devbox.lan:8080", "*.corp.example");
        assertThat(m.capabilities()).containsExactly(Capability.net("api.example.com"),
                Capability.net("devbox.lan", 8080).allowingPrivateAddresses(),
                Capability.net("*.corp.example").allowingPrivateAddresses());
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
