package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;

import java.io.BufferedReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client's {@code subscriptions/listen} on protocol revision 2026-07-28, against a real server of the v2
 * TypeScript SDK ({@code listen-server.mjs}, {@code @modelcontextprotocol/server} 2.3.1) over stdio and streamable
 * HTTP: a tool list change reaches the pinning policy, a resource subscribed to brings its updates to
 * {@link McpTools#changes()}, a flood of list changes is listed again twice (the listing in flight and one owed),
 * a listen stream that breaks is opened again with the subscriptions, and a server that refuses the listen still
 * serves calls.
 */
class McpModernListenTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @AfterEach
    void nothingIsLeftRunning() throws InterruptedException {
        McpReconnectTest.awaitCondition(() -> TestServers.children().isEmpty() && TestServers.transportThreads() == 0);
        assertThat(TestServers.children()).as("processes left running").isEmpty();
        assertThat(TestServers.transportThreads()).as("transport threads left running").isZero();
    }

    /** The listen server over {@code transport}, given to {@code body}; an HTTP server is stopped after. */
    private static void withServer(String transport, boolean reject, ServerBody body) throws Exception {
        String script = TestServers.npmScript("listen-server.mjs");
        List<String> command = new ArrayList<>(List.of(TestServers.node(), script, transport));
        if (reject) {
            command.add("reject");
        }
        if (transport.equals("stdio")) {
            body.run(McpTransportSpec.stdio(command.getFirst(), command.subList(1, command.size())
                    .toArray(String[]::new)));
            return;
        }
        Process server = new ProcessBuilder(command).start();
        try (BufferedReader out = server.inputReader()) {
            body.run(McpTransportSpec.http("http://127.0.0.1:" + out.readLine().split(" ")[1] + "/mcp"));
        } finally {
            server.destroyForcibly().waitFor();
        }
    }

    private interface ServerBody {
        void run(McpTransportSpec spec) throws Exception;
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.of(tools.capability())).build();
        return ToolRegistry.of(tools.tools()).execute(new ToolCall("c", tool, args), policy).block(WAIT);
    }

    private static ToolResult ok(McpTools tools, String tool, String args) {
        ToolResult r = call(tools, tool, args);
        assertThat(r.isError()).as(r.content()).isFalse();
        return r;
    }

    private static long count(McpTools tools, String what) {
        var counts = (JsonObject) JsonValue.parse(ok(tools, "count", "{}").content());
        return counts.getLong(what).orElseThrow();
    }

    /** The next change of type {@code type}, the changes of other types before it put in {@code skipped}. */
    private static <T extends McpChange> T next(BlockingQueue<McpChange> seen, Class<T> type, List<McpChange> skipped)
            throws InterruptedException {
        return McpTestPeers.nextChange(seen, type, skipped, WAIT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http"})
    void aToolListChangeReachesThePinningPolicy(String transport) throws Exception {
        withServer(transport, false, spec -> {
            var change = new CompletableFuture<McpTools.ToolsChange>();
            try (McpTools tools = McpTools.builder("listen", spec)
                    .onToolsChanged(change::complete)
                    .connect()
                    .block(WAIT)) {
                assertThat(tools.protocolVersion()).isEqualTo("2026-07-28");
                assertThat(ok(tools, "echo", "{\"text\":\"a\"}").content()).isEqualTo("echo: a");

                ok(tools, "change", "{\"what\":\"tools\"}");

                assertThat(change.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new McpTools.ToolsChange(
                        "listen", Set.of("echo"), Set.of(), Set.of()));
                ToolResult refused = call(tools, "echo", "{\"text\":\"b\"}");
                assertThat(refused.isError()).isTrue();
                assertThat(refused.content()).contains("changed its description or schemas since it was pinned");
                assertThat(count(tools, "listen")).as("one listen was enough").isEqualTo(1);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http"})
    void aResourceSubscribedToBringsItsUpdatesAndAnUnsubscribedOneDoesNot(String transport) throws Exception {
        withServer(transport, false, spec -> {
            try (McpTools tools = McpTools.connect("listen", spec).block(WAIT)) {
                var seen = new LinkedBlockingQueue<McpChange>();
                Disposable listening = tools.changes().subscribe(seen::add);
                tools.subscribeResource("note://watched").block(WAIT);
                tools.subscribeResource("note://watched").block(WAIT); // already: nothing more asked
                assertThat(tools.resourceSubscriptions()).containsExactly("note://watched");

                // An update of a URI not subscribed to is not sent (nor told); the one after it is.
                ok(tools, "change", "{\"what\":\"update\",\"uri\":\"note://other\"}");
                ok(tools, "change", "{\"what\":\"update\",\"uri\":\"note://watched\"}");
                var skipped = new ArrayList<McpChange>();
                assertThat(next(seen, McpChange.ResourceUpdated.class, skipped))
                        .isEqualTo(new McpChange.ResourceUpdated("listen", "note://watched"));
                assertThat(skipped).isEmpty();

                tools.unsubscribeResource("note://watched").block(WAIT);
                assertThat(tools.resourceSubscriptions()).isEmpty();
                // The listen of now (no resources) is acknowledged: the list changes still come, no update does.
                ok(tools, "change", "{\"what\":\"update\",\"uri\":\"note://watched\"}");
                ok(tools, "change", "{\"what\":\"prompts\"}");
                McpChange.PromptsListChanged prompts = next(seen, McpChange.PromptsListChanged.class, skipped);
                assertThat(prompts.server()).isEqualTo("listen");
                assertThat(skipped).isEmpty();
                assertThat(count(tools, "listen")).as("at connect, subscribe, unsubscribe").isEqualTo(3);
                listening.dispose();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http"})
    void subscriptionsMadeAtOnceAreAllAcknowledgedByTheNewestListen(String transport) throws Exception {
        withServer(transport, false, spec -> {
            try (McpTools tools = McpTools.connect("listen", spec).block(WAIT)) {
                var seen = new LinkedBlockingQueue<McpChange>();
                Disposable listening = tools.changes().subscribe(seen::add);
                reactor.core.publisher.Mono.when(tools.subscribeResource("note://a"), tools.subscribeResource(
                        "note://b"), tools.subscribeResource("note://c")).block(WAIT);
                assertThat(tools.resourceSubscriptions()).containsExactlyInAnyOrder("note://a", "note://b",
                        "note://c");

                for (String uri : List.of("note://a", "note://b", "note://c")) {
                    ok(tools, "change", "{\"what\":\"update\",\"uri\":\"" + uri + "\"}");
                    assertThat(next(seen, McpChange.ResourceUpdated.class, new ArrayList<>()))
                            .isEqualTo(new McpChange.ResourceUpdated("listen", uri));
                }
                listening.dispose();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http"})
    void aFloodOfListChangesIsListedAgainAtMostTwice(String transport) throws Exception {
        withServer(transport, false, spec -> {
            try (McpTools tools = McpTools.connect("listen", spec).block(WAIT)) {
                var seen = new LinkedBlockingQueue<McpChange>();
                Disposable listening = tools.changes().subscribe(seen::add);
                tools.subscribeResource("note://watched").block(WAIT);

                // The server holds its answers to resources/list until released: the listing the first change
                // began is in flight during the whole flood.
                ok(tools, "change", "{\"what\":\"resources\",\"n\":300}");
                // The update comes on the same listen stream after the whole flood: once it is told, every list
                // change was taken.
                ok(tools, "change", "{\"what\":\"update\",\"uri\":\"note://watched\"}");
                var before = new ArrayList<McpChange>();
                assertThat(next(seen, McpChange.ResourceUpdated.class, before))
                        .isEqualTo(new McpChange.ResourceUpdated("listen", "note://watched"));
                assertThat(before).as("the listing is held").isEmpty();

                ok(tools, "release", "{}");
                var between = new ArrayList<McpChange>();
                for (int i = 0; i < 2; i++) {
                    assertThat(next(seen, McpChange.ResourcesListChanged.class, between).uris())
                            .containsExactly("note://watched");
                }
                assertThat(between).isEmpty();
                assertThat(count(tools, "resourcesList")).as("the one in flight and the one owed").isEqualTo(2);
                listening.dispose();
            }
        });
    }

    @Test
    void aListenStreamThatBreaksIsOpenedAgainWithTheSubscriptionsOverHttp() throws Exception {
        withServer("http", false, spec -> {
            var change = new CompletableFuture<McpTools.ToolsChange>();
            try (McpTools tools = McpTools.builder("listen", spec)
                    .onToolsChanged(change::complete)
                    .connect()
                    .block(WAIT)) {
                var seen = new LinkedBlockingQueue<McpChange>();
                Disposable listening = tools.changes().subscribe(seen::add);
                tools.subscribeResource("note://watched").block(WAIT);
                // The listen it replaced is closed once the new one is acknowledged.
                McpReconnectTest.awaitCondition(() -> count(tools, "open") == 1);
                assertThat(count(tools, "open")).isEqualTo(1);

                ok(tools, "drop", "{}");

                McpReconnectTest.awaitCondition(() -> count(tools, "listen") == 3 && count(tools, "open") == 1);
                assertThat(count(tools, "listen")).as("at connect, subscribe, after the break").isEqualTo(3);
                assertThat(count(tools, "open")).isEqualTo(1);
                ok(tools, "change", "{\"what\":\"update\",\"uri\":\"note://watched\"}");
                assertThat(next(seen, McpChange.ResourceUpdated.class, new ArrayList<>()))
                        .isEqualTo(new McpChange.ResourceUpdated("listen", "note://watched"));
                ok(tools, "change", "{\"what\":\"tools\"}");
                assertThat(change.get(WAIT.toSeconds(), TimeUnit.SECONDS).changed()).containsExactly("echo");
                listening.dispose();
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"stdio", "http"})
    void aServerThatRefusesTheListenStillServesCalls(String transport) throws Exception {
        withServer(transport, true, spec -> {
            try (McpTools tools = McpTools.connect("listen", spec).block(WAIT)) {
                assertThat(ok(tools, "echo", "{\"text\":\"a\"}").content()).isEqualTo("echo: a");

                assertThatThrownBy(() -> tools.subscribeResource("note://watched").block(WAIT))
                        .isInstanceOf(ToolException.class)
                        .hasMessageContaining("refused the subscription to 'note://watched'")
                        .hasMessageContaining("listen refused by the test");
                assertThat(tools.resourceSubscriptions()).isEmpty();
                assertThat(ok(tools, "echo", "{\"text\":\"b\"}").content()).isEqualTo("echo: b");
                assertThat(count(tools, "listen")).as("at connect and subscribe; a refusal is not retried")
                        .isEqualTo(2);
            }
        });
    }
}
