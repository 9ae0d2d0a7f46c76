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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The server's list changes and resource updates as {@link McpTools#changes()}, and the application's resource
 * subscriptions, against the reference server-everything from npm (it takes subscriptions, sends updates for them
 * and adds resources) and a server of ours on the official TypeScript SDK ({@code src/test/npm/notice-server.mjs})
 * for what a hostile server does: floods of list changes and updates of URIs never subscribed to.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class McpResourceSubscriptionsTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    final LeakCheck leaks = LeakCheck.processes();

    private static McpTransportSpec noticeServer(String mode) {
        return McpTestPeers.npmScript("notice-server.mjs", mode);
    }

    private static ToolResult call(McpTools tools, String tool, String args) {
        ToolResult r = McpTestPeers.call(tools, tool, args, WAIT);
        assertThat(r.isError()).as(r.content()).isFalse();
        return r;
    }

    /** The numbers of requests of each kind the notice server received, from its count tool. */
    private static JsonObject counts(McpTools tools) {
        return (JsonObject) JsonValue.parse(call(tools, "count", "{}").content());
    }

    private static long count(JsonObject counts, String what) {
        return counts.getLong(what).orElseThrow();
    }

    /** The next change of type {@code type}, the changes of other types before it put in {@code skipped}. */
    private static <T extends McpChange> T next(BlockingQueue<McpChange> seen, Class<T> type, List<McpChange> skipped)
            throws InterruptedException {
        return McpTestPeers.nextChange(seen, type, skipped, WAIT);
    }

    @Test
    void serverEverythingSendsUpdatesOfASubscribedResourceAndTellsOfAResourceItAdds() throws Exception {
        try (McpTools everything = McpTools.connect("everything", TestServers.everything()).block(WAIT)) {
            var seen = new LinkedBlockingQueue<McpChange>();
            Disposable listening = everything.changes().subscribe(seen::add);
            String uri = "demo://resource/static/document/features.md";
            everything.subscribeResource(uri).block(WAIT);
            everything.subscribeResource(uri).block(WAIT); // already subscribed: nothing more
            assertThat(everything.resourceSubscriptions()).containsExactly(uri);

            call(everything, "toggle-subscriber-updates", "{}"); // it sends an update of each subscribed URI now
            var skipped = new ArrayList<McpChange>();
            assertThat(next(seen, McpChange.ResourceUpdated.class, skipped))
                    .isEqualTo(new McpChange.ResourceUpdated("everything", uri));

            // A tool that adds a resource: the server says its list changed, and the client lists it again.
            call(everything, "gzip-file-as-resource",
                    "{\"name\":\"hello.txt.gz\",\"data\":\"data:text/plain;base64,aGVsbG8=\"}");
            McpChange.ResourcesListChanged listed = next(seen, McpChange.ResourcesListChanged.class, skipped);
            assertThat(listed.server()).isEqualTo("everything");
            assertThat(listed.uris()).contains("demo://resource/session/hello.txt.gz", uri);
            assertThat(skipped).allMatch(c -> c.equals(new McpChange.ResourceUpdated("everything", uri)));

            everything.unsubscribeResource(uri).block(WAIT);
            assertThat(everything.resourceSubscriptions()).isEmpty();
            listening.dispose();
        }
    }

    @Test
    void theChangesCompleteWhenTheSessionIsClosed() {
        McpTools tools = McpTools.connect("notices", noticeServer("declared")).block(WAIT);
        StepVerifier.create(tools.changes()).then(tools::close).expectComplete().verify(WAIT);
    }

    @Test
    void aFloodOfListChangesGetsAtMostTwoListingsOfEachKindAndUpdatesOfUnsubscribedUrisAreDropped()
            throws Exception {
        try (McpTools tools = McpTools.connect("notices", noticeServer("declared")).block(WAIT)) {
            var seen = new LinkedBlockingQueue<McpChange>();
            Disposable listening = tools.changes().subscribe(seen::add);
            tools.subscribeResource("note://watched").block(WAIT);

            call(tools, "flood", "{\"n\":500}");
            // The server wrote the whole flood before it answered anything else: each kind was listed once
            // when the flood began and at most once more for all the rest.
            call(tools, "touch", "{\"uri\":\"note://watched\"}");
            var before = new ArrayList<McpChange>();
            assertThat(next(seen, McpChange.ResourceUpdated.class, before))
                    .isEqualTo(new McpChange.ResourceUpdated("notices", "note://watched"));
            JsonObject counts = counts(tools);
            assertThat(count(counts, "toolsList")).as(counts.toJson()).isBetween(2L, 3L); // 1 at connect
            assertThat(count(counts, "resourcesList")).as(counts.toJson()).isBetween(1L, 2L);
            assertThat(count(counts, "promptsList")).as(counts.toJson()).isBetween(1L, 2L);
            assertThat(count(counts, "read")).as("no update made the client read").isZero();
            assertThat(before).noneMatch(c -> c instanceof McpChange.ResourceUpdated);
            assertThat(before).hasSizeLessThanOrEqualTo(4);
            assertThat(before).allMatch(c -> c instanceof McpChange.ResourcesListChanged r
                    && r.uris().equals(List.of("note://watched", "note://other"))
                    || c instanceof McpChange.PromptsListChanged p && p.prompts().size() == 1
                            && p.prompts().get(0).name().equals("p1"));

            // The tools are the same: no change told, the calls still go through.
            assertThat(tools.tools().stream().map(t -> t.spec().name()))
                    .containsExactly("flood", "touch", "count", "exit", "read_resource", "list_resources");
            call(tools, "count", "{}");
            listening.dispose();
        }
    }

    @Test
    void listChangesTheServerDidNotDeclareAreIgnoredAndItsResourcesCannotBeSubscribedTo() {
        try (McpTools tools = McpTools.connect("notices", noticeServer("undeclared")).block(WAIT)) {
            var seen = new LinkedBlockingQueue<McpChange>();
            Disposable listening = tools.changes().subscribe(seen::add);
            assertThatThrownBy(() -> tools.subscribeResource("note://watched").block(WAIT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("MCP server 'notices' does not offer resource subscriptions");
            assertThat(tools.resourceSubscriptions()).isEmpty();
            call(tools, "flood", "{\"n\":50}");
            JsonObject counts = counts(tools);
            assertThat(count(counts, "resourcesList")).as(counts.toJson()).isZero();
            assertThat(count(counts, "promptsList")).as(counts.toJson()).isZero();
            assertThat(count(counts, "read")).isZero();
            assertThat(count(counts, "subscribe")).isZero();
            assertThat(seen).isEmpty();
            listening.dispose();
        }
    }

    @Test
    void aSubscriptionTheServerRefusesIsNotHeldAndSaysWhy() {
        try (McpTools tools = McpTools.connect("notices", noticeServer("declared")).block(WAIT)) {
            assertThatThrownBy(() -> tools.subscribeResource("note://missing").block(WAIT))
                    .isInstanceOf(ToolException.class)
                    .hasMessageContaining("MCP server 'notices' refused the subscription to 'note://missing'")
                    .hasMessageContaining("-32002")
                    .hasMessageContaining("Resource not found");
            assertThat(tools.resourceSubscriptions()).isEmpty();
            tools.subscribeResource("note://watched").block(WAIT);
            assertThat(tools.resourceSubscriptions()).containsExactly("note://watched");
        }
    }

    @Test
    void subscriptionsBeyondTheCapAreRefusedBeforeTheServerIsAsked() {
        try (McpTools tools = McpTools.builder("notices", noticeServer("declared"))
                .maxResourceSubscriptions(1)
                .connect()
                .block(WAIT)) {
            tools.subscribeResource("note://watched").block(WAIT);
            assertThatThrownBy(() -> tools.subscribeResource("note://other").block(WAIT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("1 resources are subscribed to, the most allowed");
            assertThat(count(counts(tools), "subscribe")).isEqualTo(1);
            assertThat(tools.resourceSubscriptions()).containsExactly("note://watched");

            tools.unsubscribeResource("note://watched").block(WAIT);
            tools.unsubscribeResource("note://watched").block(WAIT); // not subscribed: nothing sent
            assertThat(count(counts(tools), "unsubscribe")).isEqualTo(1);
            tools.subscribeResource("note://other").block(WAIT);
            assertThat(tools.resourceSubscriptions()).containsExactly("note://other");
        }
        assertThatThrownBy(() -> McpTools.builder("notices", noticeServer("declared")).maxResourceSubscriptions(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxResourceSubscriptions must be at least 1");
    }

    @Test
    void aServerStartedAgainAfterItDiedIsSubscribedAgain() throws Exception {
        try (McpTools tools = McpTools.connect("notices", noticeServer("declared")).block(WAIT)) {
            var seen = new LinkedBlockingQueue<McpChange>();
            Disposable listening = tools.changes().subscribe(seen::add);
            tools.subscribeResource("note://watched").block(WAIT);
            long pid = tools.pid().orElseThrow();
            ToolResult exit = ToolRegistry.of(tools.tools())
                    .execute(new ToolCall("c1", "exit", "{}"),
                            ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                    .block(WAIT);
            assertThat(exit.isError()).isTrue();

            // The next call starts it again; the new process is asked for the subscription before that call.
            JsonObject counts = counts(tools);
            assertThat(tools.pid().orElseThrow()).isNotEqualTo(pid);
            assertThat(count(counts, "subscribe")).as(counts.toJson()).isEqualTo(1);
            call(tools, "touch", "{\"uri\":\"note://watched\"}");
            assertThat(next(seen, McpChange.ResourceUpdated.class, new ArrayList<>()).uri())
                    .isEqualTo("note://watched");
            assertThat(tools.resourceSubscriptions()).containsExactly("note://watched");
            listening.dispose();
        }
    }

    @Test
    void updatesOfAResourceStopOnceUnsubscribed() throws Exception {
        try (McpTools tools = McpTools.connect("notices", noticeServer("declared")).block(WAIT)) {
            var seen = new LinkedBlockingQueue<McpChange>();
            Disposable listening = tools.changes().subscribe(seen::add);
            tools.subscribeResource("note://watched").block(WAIT);
            tools.subscribeResource("note://other").block(WAIT);
            tools.unsubscribeResource("note://watched").block(WAIT);
            call(tools, "touch", "{\"uri\":\"note://watched\"}");
            call(tools, "touch", "{\"uri\":\"note://other\"}");
            var before = new ArrayList<McpChange>();
            assertThat(next(seen, McpChange.ResourceUpdated.class, before).uri()).isEqualTo("note://other");
            assertThat(before).isEmpty();
            listening.dispose();
        }
    }
}
