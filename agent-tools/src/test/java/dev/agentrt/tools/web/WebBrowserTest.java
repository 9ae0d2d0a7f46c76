package dev.agentrt.tools.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.testing.FakeHttpServer;
import dev.agentrt.core.testing.FakeHttpServer.Responder;
import dev.agentrt.core.testing.TestNetwork;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class WebBrowserTest {
    static final String PAGE = """
            <!doctype html><html><head><title>Local docs</title><script>var secret = 1;</script></head>
            <body><nav><a href="/nav">Home</a></nav>
            <h1>Getting started</h1>
            <p>Install the <b>runtime</b>, then read the <a href="/guide">guide</a>.</p>
            <ul><li>First item</li><li>Second <a href="/second">item</a></li></ul>
            <p><a href="mailto:a@b.c">mail</a> and <a href="/guide#top">guide again</a></p>
            </body></html>""";

    /** Names from src/test/resources/hosts (jdk.net.hosts.file), and no connection but to 127.0.0.1. */
    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly().withSystemResolver();

    final FakeHttpServer server = FakeHttpServer.start();
    final FakeHttpServer other = FakeHttpServer.start();
    final String taskId = "task-" + System.nanoTime();

    @AfterEach
    void stop() {
        server.close();
        other.close();
    }

    static Responder html(String body, String... headers) {
        return ex -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            for (int i = 0; i + 1 < headers.length; i += 2) {
                ex.getResponseHeaders().add(headers[i], headers[i + 1]);
            }
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.getResponseBody().close();
        };
    }

    static Responder redirect(String location) {
        return ex -> {
            ex.getResponseHeaders().set("Location", location);
            ex.sendResponseHeaders(302, -1);
        };
    }

    WebBrowser browser() {
        return WebBrowser.builder().network(net.network()).build();
    }

    int port() {
        return Integer.parseInt(server.url().substring(server.url().lastIndexOf(':') + 1));
    }

    ToolResult call(WebBrowser browser, String arguments, Capability... grants) {
        return ToolRegistry.of(browser)
                .execute(new ToolCall("c-" + System.nanoTime(), "web_browse", arguments),
                        ToolExecution.of(taskId, Principal.ANONYMOUS, Grants.of(grants)))
                .block(Duration.ofSeconds(30));
    }

    static String url(String u) {
        return "{\"url\":\"" + u + "\"}";
    }

    @Test
    void aLoopbackPageIsRefusedUnderAWildcardGrantAndNoRequestIsSent() {
        server.enqueue(html(PAGE));
        ToolResult r = call(browser(), url(server.url() + "/"), Capability.net("*"));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("127.0.0.1", "loopback");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aTaskGrantNamingTheLoopbackAddressExactlyIsAnExplicitGrant() {
        server.enqueue(html(PAGE));
        ToolResult r = call(browser(), url(server.url() + "/"), Capability.net("127.0.0.1"));
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(r.content()).contains("Title: Local docs");

        ToolResult byName = call(browser(), url(server.url().replace("127.0.0.1", "localhost") + "/"),
                Capability.net("127.0.0.1"));
        assertThat(byName.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aLoopbackPageIsRefusedWithoutANetGrantForIt() {
        ToolResult r = call(browser(), url(server.url() + "/"), Capability.net("example.com"));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void everyNumericSpellingOfLoopbackIsRefused() {
        int port = port();
        for (String host : List.of("2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "[::1]", "[::ffff:127.0.0.1]",
                "0.0.0.0")) {
            ToolResult r = call(browser(), url("http://" + host + ":" + port + "/"), Capability.net("*"));
            assertThat(r.errorKind()).as(host).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anExplicitlyAllowedLocalPageIsReadAsMarkdownWithNumberedLinksAndLinkTwoCanBeFollowed() {
        server.enqueue(html(PAGE), html("<html><head><title>The guide</title></head><body><p>Read me.</p></body>"
                + "</html>"));
        WebBrowser browser = browser();
        ToolResult r = call(browser, url(server.url() + "/start"), Capability.net("127.0.0.1"));
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(r.content()).contains("Title: Local docs", "# Getting started",
                "Install the **runtime**, then read the guide [2].", "- First item", "- Second item [3]",
                "[1] " + server.url() + "/nav", "[2] " + server.url() + "/guide", "[3] " + server.url() + "/second")
                .doesNotContain("secret", "mailto", "[4]");
        assertThat(r.content()).contains("guide again [2]");

        ToolResult followed = call(browser, "{\"link\":2}", Capability.net("127.0.0.1"));
        assertThat(followed.isError()).as(followed.content()).isFalse();
        assertThat(followed.content()).contains("Title: The guide", "Read me.");
        assertThat(server.requests()).extracting(FakeHttpServer.Recorded::path).containsExactly("/start", "/guide");
        assertThat(server.lastRequest().header("Host")).isEqualTo(server.url().substring(7));
    }

    @Test
    void aLinkOfAGivenPageIsFollowedByFetchingThatPageAgain() {
        server.enqueue(html(PAGE), html("<p>second</p>"));
        ToolResult r = call(browser(), "{\"link\":3,\"page\":\"" + server.url() + "/start\",\"format\":\"text\"}",
                Capability.net("127.0.0.1"));
        assertThat(r.content()).contains("second");
        assertThat(server.requests()).extracting(FakeHttpServer.Recorded::path).containsExactly("/start", "/second");
        assertThat(call(browser(), "{\"link\":1}", Capability.net("127.0.0.1")).errorKind())
                .as("a new browser has read nothing in this task")
                .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
    }

    @Test
    void aRedirectFromAnAllowedPageToTheMetadataAddressIsRefused() {
        server.enqueue(redirect("http://169.254.169.254/latest/meta-data/"));
        ToolResult r = call(browser(), url(server.url() + "/"), Capability.net("127.0.0.1"),
                Capability.net("*"));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("169.254.169.254", "metadata");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aRedirectToAnotherLocalHostThatIsNotGrantedIsRefused() {
        server.enqueue(redirect(other.url().replace("127.0.0.1", "localhost") + "/admin"));
        ToolResult denied = call(browser(), url(server.url() + "/"), Capability.net("127.0.0.1"));
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(denied.content()).contains("net:localhost");

        server.enqueue(redirect(other.url().replace("127.0.0.1", "localhost") + "/admin"));
        ToolResult guarded = call(browser(), url(server.url() + "/"), Capability.net("127.0.0.1"),
                Capability.net("*"));
        assertThat(guarded.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(guarded.content()).contains("localhost", "loopback");
        assertThat(server.requests()).hasSize(2);
        assertThat(other.requests()).isEmpty();
    }

    @Test
    void publicLookingNamesThatResolveToPrivateAddressesAreRefusedUnderWildcardGrants() {
        ToolResult rebind = call(browser(), url("http://rebind.example.net:" + port() + "/"), Capability.net("*"));
        ToolResult intranet = call(browser(), url("http://intranet.example.com/wiki"), Capability.net("*.example.com"));
        ToolResult metadata = call(browser(), url("http://sneaky.example.org/latest/meta-data/"), Capability.net("*"));

        assertThat(rebind.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(rebind.content()).contains("rebind.example.net", "127.0.0.1", "loopback");
        assertThat(intranet.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(intranet.content()).contains("10.0.0.5");
        assertThat(metadata.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(metadata.content()).contains("169.254.169.254");
        assertThat(server.requests()).isEmpty();
        assertThat(net.connects()).isEmpty();
    }

    @Test
    void aGrantNamingTheHostExactlyDoesNotReachTheNonPublicAddressItResolvesTo() {
        // Each name is granted exactly, as a task would grant a site it trusts; its DNS answer is not public.
        ToolResult loopback = call(browser(), url("http://rebind.example.net:" + port() + "/"),
                Capability.net("rebind.example.net"));
        ToolResult intranet = call(browser(), url("http://intranet.example.com/wiki"),
                Capability.net("intranet.example.com"));
        ToolResult metadata = call(browser(), url("http://sneaky.example.org/latest/meta-data/"),
                Capability.net("sneaky.example.org", 80));

        assertThat(loopback.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(loopback.content()).contains("127.0.0.1", "allowingPrivateAddresses()");
        assertThat(intranet.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(intranet.content()).contains("10.0.0.5");
        assertThat(metadata.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(metadata.content()).contains("169.254.169.254", "metadata");
        assertThat(net.connects()).as("refused before any connection was attempted").isEmpty();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aGrantAllowingPrivateAddressesReachesANameOnTheLocalMachineButNeverMetadata() {
        server.enqueue(html(PAGE));
        ToolResult r = call(browser(), url("http://rebind.example.net:" + port() + "/"),
                Capability.net("*.example.net").allowingPrivateAddresses());
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(r.content()).contains("Title: Local docs");
        assertThat(server.lastRequest().header("Host")).isEqualTo("rebind.example.net:" + port());

        ToolResult metadata = call(browser(), url("http://sneaky.example.org/latest/meta-data/"),
                Capability.net("sneaky.example.org").allowingPrivateAddresses(), Capability.net("169.254.169.254"));
        assertThat(metadata.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(net.connects()).hasSize(1);
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefusedUnlessItsGrantAllowsPrivateAddresses() {
        String viaName = server.url().replace("127.0.0.1", "localhost") + "/";
        ToolResult wildcard = call(browser(), url(viaName), Capability.net("*"));
        assertThat(wildcard.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        ToolResult named = call(browser(), url(viaName), Capability.net("localhost"));
        assertThat(named.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(named.content()).contains("allowingPrivateAddresses()");
        assertThat(server.requests()).isEmpty();

        server.enqueue(html(PAGE));
        ToolResult r = call(browser(), url(viaName), Capability.net("localhost", port()).allowingPrivateAddresses());
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(r.content()).contains("Title: Local docs");
        assertThat(server.lastRequest().header("Host")).startsWith("localhost:");
    }

    @Test
    void anOversizedPageIsCutAtTheLimitWithoutReadingTheRest() throws Exception {
        var pieces = new ArrayList<byte[]>();
        pieces.add("<html><head><title>Big</title></head><body><p>".getBytes(StandardCharsets.UTF_8));
        byte[] block = "lorem ipsum ".repeat(5_000).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 400; i++) {
            pieces.add(block); // 24 MB in all
        }
        server.enqueue(Responder.stream("text/html", pieces, Duration.ofMillis(1)));
        WebBrowser small = WebBrowser.builder()
                .network(net.network())
                .limits(new WebLimits(100_000, Duration.ofSeconds(20), 5, 5_000))
                .build();
        ToolResult r = call(small, url(server.url() + "/big"), Capability.net("127.0.0.1"));
        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(r.content()).contains("Title: Big", "only the beginning was read", "[cut:");
        // A write failing on the server's side shows the page was abandoned, not read to its end.
        assertThat(server.awaitClientGone(Duration.ofSeconds(30))).as("the server saw the connection close").isTrue();
    }

    @Test
    void aSlowPageEndsAtTheTimeLimit() {
        // The page stays open far longer than the call's guard: only the time limit can end the call.
        server.enqueue(Responder.stall("text/html", "<html><body>", Duration.ofMinutes(5)));
        WebBrowser quick = WebBrowser.builder()
                .network(net.network())
                .limits(new WebLimits(100_000, Duration.ofMillis(500), 5, 5_000))
                .build();
        ToolResult r = call(quick, url(server.url() + "/slow"), Capability.net("127.0.0.1"));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        assertThat(r.content()).contains("took longer than");
    }

    @Test
    void binaryContentIsRefused() {
        server.enqueue(Responder.stream("image/png", List.of(new byte[]{(byte) 0x89, 'P', 'N', 'G', 0, 0}),
                Duration.ZERO));
        ToolResult r = call(browser(), url(server.url() + "/logo.png"), Capability.net("127.0.0.1"));
        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("image/png", "not a page of text");
    }

    @Test
    void malformedAndNonHttpUrlsAreInvalidArguments() {
        for (String u : List.of("file:///etc/passwd", "http://user@example.com/", "notaurl")) {
            assertThat(call(browser(), url(u), Capability.net("*")).errorKind()).as(u)
                    .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        }
        assertThat(call(browser(), "{\"url\":\"http://example.com/\",\"link\":1}", Capability.net("*"))
                .errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
    }

    @Test
    void anAgentReadsALocalPageThroughTheTool() {
        server.enqueue(html(PAGE));
        var model = ScriptedChatModel.of(Reply.toolCall("web_browse", url(server.url() + "/")),
                Reply.text("read it"));
        Agent agent = Agent.builder().model(model).tools(browser()).grant(Capability.net("127.0.0.1")).build();
        StepVerifier.create(agent.task("read the local docs").execute())
                .assertNext(r -> assertThat(toolResults(r)).singleElement()
                        .satisfies(m -> assertThat(m.content()).contains("Title: Local docs")))
                .expectComplete()
                .verify(Duration.ofSeconds(30));
    }

    static List<Message.ToolResult> toolResults(AgentResult r) {
        return r.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
    }

    @Test
    void requiredCapabilitiesNameTheUrlsHostAndPort() {
        assertThat(browser()
                .requiredCapabilities(JsonObject.builder()
                        .put("url", "https://Docs.Example.com/x")
                        .build()))
                .containsExactly(Capability.net("docs.example.com", 443));
    }
}
