package dev.agentrt.tools.mcp;

import static dev.agentrt.tools.mcp.McpHttpFixture.inSession;
import static dev.agentrt.tools.mcp.McpHttpFixture.post;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolAccess;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@link McpServer#addTool}, {@link McpServer#removeTool}, {@link McpServer#addPrompt} and {@link
 * McpServer#removePrompt} while serving: the official TypeScript SDK's v1 client (stdio, stateful HTTP) is sent
 * {@code notifications/tools/list_changed} (and {@code prompts/list_changed}), lists the added tool and calls it (gets
 * the added prompt), and a removed tool's call gets the unknown-tool error (a removed prompt the unknown-prompt one);
 * the v2 client (2026-07-28) hears of the changes on the {@code subscriptions/listen} its {@code listChanged} option
 * opens; a stateless server lists the change on the next
 * request; an added tool is refused what the server is not granted and hidden as the access policy says; many
 * threads changing the tools at once leave every transport with the same, expected list. The timeouts are hang
 * guards only: no assertion depends on how fast anything is.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpServerListChangedTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final McpHttpFixture http = new McpHttpFixture();

    @TempDir
    Path temp;

    private static List<String> javaMain() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ListChangingServerMain.class.getName());
    }

    private static List<String> args(String kind, List<String> rest) {
        var all = new ArrayList<String>();
        all.add(kind);
        all.addAll(rest);
        return all;
    }

    private static List<String> strings(JsonObject seen, String key) {
        return seen.getArray(key).orElseThrow().items().stream().map(v -> ((JsonValue.JsonString) v).value()).toList();
    }

    private static void assertV1ClientSawTheChanges(JsonObject seen) {
        assertThat(seen.getBoolean("listChanged")).as(seen.toJson()).contains(true);
        assertThat(strings(seen, "before")).containsExactly("add_greet", "add_review", "remove_greet", "remove_review");
        assertThat(strings(seen, "afterAdd")).containsExactly("add_greet", "add_review", "greet", "remove_greet",
                "remove_review");
        assertThat(seen.getString("greet")).contains("Hello, TypeScript!");
        assertThat(strings(seen, "afterRemove")).containsExactly("add_greet", "add_review", "remove_greet",
                "remove_review");
        JsonObject refused = seen.getObject("greetRemoved").orElseThrow();
        assertThat(refused.getLong("code")).as(refused.toJson()).contains(-32602L);
        assertThat(refused.getString("message").orElseThrow()).contains("Unknown tool");
        assertThat(refused.getString("data")).contains("Tool not found: greet");
        assertThat(seen.getBoolean("promptsListChanged")).contains(true);
        assertThat(strings(seen, "promptsBefore")).containsExactly("hello");
        assertThat(strings(seen, "promptsAfterAdd")).containsExactly("hello", "review");
        assertThat(seen.getString("review")).contains("Review a.md for bugs.");
        assertThat(strings(seen, "promptsAfterRemove")).containsExactly("hello");
        JsonObject unknown = seen.getObject("reviewRemoved").orElseThrow();
        assertThat(unknown.getLong("code")).as(unknown.toJson()).contains(-32602L);
        assertThat(unknown.getString("message").orElseThrow()).contains("no prompt named \"review\"");
    }

    private static void assertV2ClientSawTheChanges(JsonObject seen) {
        assertThat(seen.getBoolean("listChanged")).as(seen.toJson()).contains(true);
        assertThat(seen.getObject("honored").orElseThrow().toJson())
                .isEqualTo("{\"toolsListChanged\":true,\"promptsListChanged\":true}");
        var lists = seen.getArray("lists").orElseThrow().items();
        assertThat(lists.get(lists.size() - 1).toJson())
                .isEqualTo("[\"add_greet\",\"add_review\",\"remove_greet\",\"remove_review\"]");
        assertThat(lists).extracting(JsonValue::toJson)
                .contains("[\"add_greet\",\"add_review\",\"greet\",\"remove_greet\",\"remove_review\"]");
        assertThat(seen.getString("greet")).contains("Hello, v2!");
        JsonObject refused = seen.getObject("greetRemoved").orElseThrow();
        assertThat(refused.getLong("code")).as(refused.toJson()).contains(-32602L);
        assertThat(refused.getString("message").orElseThrow()).contains("Unknown tool");
        var promptLists = seen.getArray("promptLists").orElseThrow().items();
        assertThat(promptLists).extracting(JsonValue::toJson).contains("[\"hello\",\"review\"]");
        assertThat(promptLists.get(promptLists.size() - 1).toJson()).isEqualTo("[\"hello\"]");
        assertThat(seen.getString("review")).contains("Review a.md for bugs.");
        JsonObject unknown = seen.getObject("reviewRemoved").orElseThrow();
        assertThat(unknown.getLong("code")).as(unknown.toJson()).contains(-32602L);
    }

    // ---- the TypeScript SDK's clients

    @Test
    void theV1ClientOverStdioIsToldOfAnAddedToolCallsItAndARemovedOneIsUnknown() throws Exception {
        JsonObject seen = McpTestPeers.runNodeClient(temp, "sdk-list-changed-client.mjs", args("stdio", javaMain()));
        assertV1ClientSawTheChanges(seen);
        assertThat(seen.getLong("changes")).as("one notification a change").contains(2L);
        assertThat(seen.getLong("promptChanges")).as("one notification a change").contains(2L);
    }

    @Test
    void theV1ClientOverStatefulHttpIsToldOnItsGetStream() throws Exception {
        McpHttpServer server = http.serve(ListChangingServerMain.server(b -> b), McpHttpOptions.defaults());
        JsonObject seen = McpTestPeers.runNodeClient(temp, "sdk-list-changed-client.mjs",
                List.of("http", server.url().toString()));
        assertV1ClientSawTheChanges(seen);
    }

    @Test
    void theV2ClientOverStdioHearsOfTheChangesOnItsListen() throws Exception {
        JsonObject seen = McpTestPeers.runNodeClient(temp, "sdk-v2-list-changed-client.mjs",
                args("stdio", javaMain()));
        assertV2ClientSawTheChanges(seen);
    }

    @Test
    void theV2ClientOverHttpHearsOfTheChangesOnItsListenStatelessToo() throws Exception {
        for (McpHttpOptions options : List.of(McpHttpOptions.defaults(), McpHttpOptions.defaults().stateless(true))) {
            McpHttpServer server = http.serve(ListChangingServerMain.server(b -> b), options);
            JsonObject seen = McpTestPeers.runNodeClient(temp, "sdk-v2-list-changed-client.mjs",
                    List.of("http", server.url().toString()));
            assertV2ClientSawTheChanges(seen);
        }
    }

    // ---- raw HTTP

    private static String request(int id, String method, String params) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    private static String call(int id, String tool, String arguments) {
        return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + arguments + "}");
    }

    private static JsonObject answer(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonValue.parse(response.body()).asObject();
    }

    private List<String> listed(McpHttpServer server, String... headers) throws Exception {
        JsonObject result = answer(http.send(post(server, request(50, "tools/list", "{}"), headers)))
                .getObject("result")
                .orElseThrow();
        return result.getArray("tools")
                .orElseThrow()
                .items()
                .stream()
                .map(t -> t.asObject().getString("name").orElseThrow())
                .sorted()
                .toList();
    }

    @Test
    void aStatelessServerListsAndCallsTheChangedToolsFromTheNextRequestOnAndDeclaresNoListChanged()
            throws Exception {
        McpServer built = ListChangingServerMain.server(b -> b);
        McpHttpServer server = http.serve(built, McpHttpOptions.defaults().stateless(true));
        String[] version = {"MCP-Protocol-Version", McpHttpFixture.VERSION};
        JsonObject init = answer(http.send(post(server, """
                {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s",\
                "capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}""".formatted(McpHttpFixture.VERSION))));
        assertThat(init.getObject("result")
                .orElseThrow()
                .getObject("capabilities")
                .orElseThrow()
                .getObject("tools")
                .orElseThrow()
                .getBoolean("listChanged")).isNotEqualTo(java.util.Optional.of(true));
        assertThat(listed(server, version)).containsExactly("add_greet", "add_review", "remove_greet", "remove_review");

        StepVerifier.create(built.addTool(ListChangingServerMain.greet())).verifyComplete();
        assertThat(listed(server, version)).containsExactly("add_greet", "add_review", "greet", "remove_greet",
                "remove_review");
        JsonObject greeted = answer(http.send(post(server, call(2, "greet", "{\"who\":\"raw\"}"), version)));
        assertThat(greeted.toJson()).contains("Hello, raw!");

        StepVerifier.create(built.removeTool("greet")).expectNext(true).verifyComplete();
        assertThat(listed(server, version)).containsExactly("add_greet", "add_review", "remove_greet", "remove_review");
        JsonObject refused = answer(http.send(post(server, call(3, "greet", "{\"who\":\"raw\"}"), version)))
                .getObject("error")
                .orElseThrow();
        assertThat(refused.getLong("code")).contains(-32602L);
        assertThat(refused.getString("data")).contains("Tool not found: greet");
    }

    @Test
    void anAddedToolIsRefusedWhatTheServerIsNotGrantedAndHiddenAsItsAccessPolicySays() throws Exception {
        Tool refund = Tool.builder("refund")
                .description("Refunds a payment")
                .requires(Capability.custom("payments", "refund"))
                .handler((args, ctx) -> Mono.just(ToolResult.text("refunded")))
                .build();
        Tool secret = Tool.builder("secret")
                .description("Hidden from this server's clients")
                .handler((args, ctx) -> Mono.just(ToolResult.text("leaked")))
                .build();
        McpServer built = McpServer.builder(List.of())
                .grants(Grants.of(Capability.custom("crm")))
                .access((principal, spec) -> !spec.name().equals("secret"))
                .build();
        McpHttpServer server = http.serve(built, McpHttpOptions.defaults());
        String session = http.initialize(server, "{}").id();
        StepVerifier.create(built.addTool(refund).then(built.addTool(secret))).verifyComplete();

        assertThat(built.tools()).extracting(ToolSpec::name).containsExactly("refund");
        assertThat(listed(server, inSession(session))).containsExactly("refund");
        JsonObject denied = answer(http.send(post(server, call(2, "refund", "{}"), inSession(session))))
                .getObject("result")
                .orElseThrow();
        assertThat(denied.getBoolean("isError")).contains(true);
        assertThat(denied.toJson()).contains("Permission denied").contains("payments:refund");
        JsonObject hidden = answer(http.send(post(server, call(3, "secret", "{}"), inSession(session))));
        assertThat(hidden.toJson()).doesNotContain("leaked");
    }

    // ---- bad input

    @Test
    void aDuplicateOrInvalidToolOrPromptIsRefusedAndNothingChangesAndRemovingAnUnknownOneSaysSo() throws Exception {
        McpServer built = ListChangingServerMain.server(b -> b);
        McpHttpServer server = http.serve(built, McpHttpOptions.defaults());
        String session = http.initialize(server, "{}").id();

        StepVerifier.create(built.addTool(Tool.builder("add_greet")
                .description("a second add_greet")
                .handler((args, ctx) -> Mono.just(ToolResult.text("second")))
                .build()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("add_greet")
                        .hasMessageContaining("served already"))
                .verify(WAIT);
        StepVerifier.create(built.addTool(Tool.builder("broken")
                .description("its schema is not one")
                .parameters(JsonValue.parse("{\"type\":\"no such type\"}").asObject())
                .handler((args, ctx) -> Mono.just(ToolResult.text("never")))
                .build()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("broken"))
                .verify(WAIT);
        StepVerifier.create(built.removeTool("nothing-of-that-name")).expectNext(false).verifyComplete();
        StepVerifier.create(built.addPrompt("hello", null, List.of(), args -> List.of()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("hello")
                        .hasMessageContaining("served already"))
                .verify(WAIT);
        StepVerifier.create(built.addPrompt("twice", null, List.of(McpServer.PromptArgument.required("a", null),
                McpServer.PromptArgument.optional("a", null)), args -> List.of()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("two arguments named a"))
                .verify(WAIT);
        StepVerifier.create(built.removePrompt("nothing-of-that-name")).expectNext(false).verifyComplete();
        McpServer promptless = McpServer.builder(List.of()).build();
        StepVerifier.create(promptless.addPrompt("late", null, List.of(), args -> List.of()))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("built without prompts"))
                .verify(WAIT);
        StepVerifier.create(promptless.removePrompt("late"))
                .expectError(IllegalStateException.class)
                .verify(WAIT);

        assertThat(built.tools()).extracting(ToolSpec::name)
                .containsExactlyInAnyOrder("add_greet", "add_review", "remove_greet", "remove_review");
        assertThat(listed(server, inSession(session))).containsExactly("add_greet", "add_review", "remove_greet",
                "remove_review");
        JsonObject first = answer(http.send(post(server, call(2, "add_greet", "{}"), inSession(session))));
        assertThat(first.toJson()).contains("added");
        JsonObject prompts = answer(http.send(post(server, request(3, "prompts/list", "{}"), inSession(session))));
        assertThat(prompts.toJson()).contains("\"hello\"").doesNotContain("twice");
    }

    // ---- many threads

    @Test
    void manyThreadsAddingAndRemovingAtOnceLeaveEveryTransportWithTheSameExpectedList() throws Exception {
        McpServer built = McpServer.builder(List.of())
                .tasks(McpTaskOptions.optional())
                .build();
        McpHttpServer stateful = http.serve(built, McpHttpOptions.defaults());
        McpHttpServer stateless = http.serve(built, McpHttpOptions.defaults().stateless(true));
        String session = http.initialize(stateful, "{}").id();
        int threads = 8;
        int each = 20;
        var start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            var done = new ArrayList<Future<?>>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        String name = "t" + thread + "_" + i;
                        built.addTool(Tool.builder(name)
                                .description("tool " + name)
                                .handler((args, ctx) -> Mono.just(ToolResult.text(name)))
                                .build()).block(WAIT);
                        if (i % 2 == 1) {
                            assertThat(built.removeTool(name).block(WAIT)).isTrue();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        Set<String> expected = new TreeSet<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < each; i += 2) {
                expected.add("t" + t + "_" + i);
            }
        }
        assertThat(built.tools()).extracting(ToolSpec::name).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(listed(stateful, inSession(session))).containsExactlyElementsOf(expected);
        assertThat(listed(stateless, "MCP-Protocol-Version", McpHttpFixture.VERSION))
                .containsExactlyElementsOf(expected);
        JsonObject kept = answer(http.send(post(stateful, call(2, "t3_4", "{}"), inSession(session))));
        assertThat(kept.toJson()).contains("\"t3_4\"");
        JsonObject gone = answer(http.send(post(stateful, call(3, "t3_5", "{}"), inSession(session))));
        assertThat(gone.getObject("error").orElseThrow().getLong("code")).contains(-32602L);
    }
}
