package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.args;
import static dev.agentrt.tools.git.GitFixture.call;
import static dev.agentrt.tools.git.GitFixture.commit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.testing.TestNetwork;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code git_push} to a smart-HTTP remote: the real {@code git http-backend} on 127.0.0.1, reached through the egress
 * layer only, under a {@code Net} grant for its host and port.
 */
class GitPushHttpTest {
    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly();

    @TempDir
    Path tmp;

    @RegisterExtension
    final ServedRepos repos = new ServedRepos(() -> tmp, GitHttpServer::start);

    private GitTools.Builder tools(String url) {
        return GitTools.builder(repos.root)
                .author("Bot", "bot@example.com")
                .clock(CLOCK)
                .network(net.network())
                .pushTo(URI.create(url));
    }

    private Grants grants(Capability... more) {
        var all = new java.util.ArrayList<Capability>(List.of(Capability.fileRead(repos.root)));
        all.addAll(List.of(more));
        return Grants.of(all);
    }

    private Capability serverGrant() {
        return Capability.net("127.0.0.1", repos.server.port());
    }

    private ObjectId remoteRef(String branch) throws Exception {
        return repos.bare.getRepository().resolve("refs/heads/" + branch);
    }

    @Test
    void pushesToTheServerWithTheNetGrantAndTheApplicationsCredentials() throws Exception {
        repos.server.requireBasic("bot", "s3cret");
        GitTools tools = tools(repos.server.url("remote.git")).pushCredentials("bot", () -> "s3cret").build();

        ToolResult r = call(tools, grants(serverGrant()), "git_push", args().build());

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(r.content()).startsWith("Pushed main");
        assertThat(remoteRef("main")).isEqualTo(repos.git.getRepository().resolve("main"));
        assertThat(repos.server.requests()).extracting(GitHttpServer.Request::target)
                .contains("/remote.git/info/refs?service=git-receive-pack", "/remote.git/git-receive-pack");
        assertThat(net.connects()).isNotEmpty()
                .allMatch(a -> a.equals(new InetSocketAddress("127.0.0.1", repos.server.port())));
        assertThat(net.lookups()).as("an IP literal is never looked up").isEmpty();

        assertThat(call(tools, grants(serverGrant()), "git_push", args().build()).content())
                .contains("already up to date");
        commit(repos.git, "Second", "b.txt", "b\n");
        assertThat(call(tools, grants(serverGrant()), "git_push", args().build()).isError()).isFalse();
        assertThat(remoteRef("main")).isEqualTo(repos.git.getRepository().resolve("main"));
        assertThat(tools.pushUrl()).contains(URI.create(repos.server.url("remote.git")));
    }

    @Test
    void withoutTheNetGrantNothingIsSent() throws Exception {
        GitTools tools = tools(repos.server.url("remote.git")).build();

        ToolResult r = call(tools, grants(Capability.net("127.0.0.1", repos.server.port() + 1)), "git_push",
                args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("net:127.0.0.1:" + repos.server.port());
        assertThat(repos.server.requests()).isEmpty();
        assertThat(net.connects()).isEmpty();
        assertThat(remoteRef("main")).isNull();
    }

    @Test
    void aNameGrantDoesNotReachTheLoopbackAddressTheNameResolvesTo() throws Exception {
        net.answer("git.example.test", "127.0.0.1");
        GitTools tools = tools("http://git.example.test:" + repos.server.port() + "/remote.git").build();

        ToolResult r = call(tools, grants(Capability.net("git.example.test", repos.server.port())), "git_push",
                args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("127.0.0.1", "private addresses");
        assertThat(repos.server.requests()).isEmpty();
        assertThat(net.connects()).isEmpty();
        assertThat(remoteRef("main")).isNull();

        ToolResult allowed = call(tools,
                grants(Capability.net("git.example.test", repos.server.port()).allowingPrivateAddresses()), "git_push",
                args().build());
        assertThat(allowed.isError()).as(allowed.content()).isFalse();
        assertThat(remoteRef("main")).isEqualTo(repos.git.getRepository().resolve("main"));
        assertThat(repos.server.requests())
                .allMatch(q -> ("git.example.test:" + repos.server.port()).equals(q.header("Host")));
    }

    @Test
    void aRedirectToAnotherHostIsRefusedAndTheCredentialsStayWithTheRemote() throws Exception {
        repos.server.redirectTo("http://elsewhere.example.test:" + repos.server.port());
        net.answer("elsewhere.example.test", "127.0.0.1");
        GitTools tools = tools(repos.server.url("remote.git")).pushCredentials("bot", () -> "s3cret").build();

        ToolResult r = call(tools, grants(serverGrant(), Capability.net("elsewhere.example.test")
                .allowingPrivateAddresses()), "git_push", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(r.content()).contains("elsewhere.example.test", "another host");
        assertThat(repos.server.requests()).hasSize(1);
        assertThat(net.lookups()).doesNotContain("elsewhere.example.test");
        assertThat(net.connects()).hasSize(1);
        assertThat(remoteRef("main")).isNull();
    }

    @Test
    void wrongOrMissingCredentialsGiveAClearError() throws Exception {
        repos.server.requireBasic("bot", "right");

        ToolResult wrong = call(
                tools(repos.server.url("remote.git")).pushCredentials("bot", () -> "t0ken-mismatch").build(),
                grants(serverGrant()), "git_push", args().build());
        assertThat(wrong.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(wrong.content()).contains("refused the push credentials", "401");
        assertThat(wrong.content()).doesNotContain("t0ken-mismatch");

        ToolResult none = call(tools(repos.server.url("remote.git")).build(), grants(serverGrant()), "git_push",
                args().build());
        assertThat(none.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(none.content()).contains("gave none", "pushCredentials");

        assertThat(repos.server.requests()).allMatch(q -> q.method().equals("GET"));
        assertThat(remoteRef("main")).isNull();
    }

    @Test
    void credentialsThatCannotBeReadStopThePushBeforeAnyRequest() throws Exception {
        ToolResult failing = call(tools(repos.server.url("remote.git")).pushCredentials("bot", () -> {
            throw new IllegalStateException("the vault said t0ken-in-message");
        }).build(), grants(serverGrant()), "git_push", args().build());
        assertThat(failing.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(failing.content()).contains("could not be read", "IllegalStateException")
                .doesNotContain("t0ken-in-message");

        ToolResult empty = call(tools(repos.server.url("remote.git")).pushCredentials("bot", () -> "").build(),
                grants(serverGrant()), "git_push", args().build());
        assertThat(empty.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(empty.content()).contains("credentials", "empty");

        assertThat(repos.server.requests()).isEmpty();
        assertThat(net.connects()).isEmpty();
        assertThat(remoteRef("main")).isNull();
    }

    @Test
    void theRepositorysHttpConfigurationAddsNoHeaderAndReadsNoCookieFile() throws Exception {
        StoredConfig config = repos.git.getRepository().getConfig();
        config.setStringList("http", null, "extraHeader", List.of("X-Evil: 1", "Authorization: Bearer evil",
                "Cookie: session=stolen"));
        config.setBoolean("http", null, "sslVerify", false);
        config.save();
        GitTools tools = tools(repos.server.url("remote.git")).build();

        ToolResult r = call(tools, grants(serverGrant()), "git_push", args().build());

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(remoteRef("main")).isEqualTo(repos.git.getRepository().resolve("main"));
        assertThat(repos.server.requests()).isNotEmpty().allSatisfy(q -> {
            assertThat(q.header("X-Evil")).isNull();
            assertThat(q.header("Authorization")).isNull();
            assertThat(q.header("Cookie")).isNull();
        });

        config.setString("http", repos.server.url(""), "cookieFile", tmp.resolve("cookies").toString());
        config.save();
        int before = repos.server.requests().size();
        ToolResult cookies = call(tools, grants(serverGrant()), "git_push", args().build());
        assertThat(cookies.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(cookies.content()).contains("cookieFile");
        assertThat(repos.server.requests()).hasSize(before);
        assertThat(tmp.resolve("cookies")).doesNotExist();
    }

    @Test
    void aPackLargerThanJGitsPostBufferIsSentWhole() throws Exception {
        var random = new java.util.Random(11);
        var text = new StringBuilder();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 2_000_000; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        commit(repos.git, "Large", "large.txt", text.toString());
        GitTools tools = tools(repos.server.url("remote.git")).build();

        ToolResult r = call(tools, grants(serverGrant()), "git_push", args().build());

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(remoteRef("main")).isEqualTo(repos.git.getRepository().resolve("main"));
        assertThat(repos.server.requests()).filteredOn(q -> q.method().equals("POST"))
                .singleElement()
                .satisfies(q -> assertThat(Long.parseLong(q.header("Content-Length")))
                        .as("past JGit's 1 MiB post buffer, where it streams the pack")
                        .isGreaterThan(1L << 20));
    }

    @Test
    void aPushLargerThanTheLimitIsNotSent() throws Exception {
        commit(repos.git, "Big", "big.txt", new java.util.Random(7).ints(200_000, 0, 10)
                .collect(StringBuilder::new, StringBuilder::append, StringBuilder::append)
                .toString());
        GitTools tools = tools(repos.server.url("remote.git")).maxPushBytes(10_000).build();

        ToolResult r = call(tools, grants(serverGrant()), "git_push", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("more than 10000 bytes", "maxPushBytes");
        assertThat(repos.server.requests()).extracting(GitHttpServer.Request::method).containsOnly("GET");
        assertThat(remoteRef("main")).isNull();
    }

    @Test
    void unsupportedRemotesAreRefusedWhenTheToolsAreBuilt() throws Exception {
        for (String url : List.of("ssh://git@git.example.com/team/project.git", "git://git.example.com/project.git",
                "file://otherhost/srv/project.git", "ftp://git.example.com/project.git")) {
            assertThatThrownBy(() -> GitTools.builder(repos.root).pushTo(URI.create(url)))
                    .as(url)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("supports http:// and https://");
        }
        assertThatThrownBy(() -> GitTools.builder(repos.root).pushTo(URI.create("git@github.com:team/project.git")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                () -> GitTools.builder(repos.root).pushTo(URI.create("https://bot:token@git.example.com/p.git")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pushCredentials");
        assertThatThrownBy(() -> GitTools.builder(repos.root).pushCredentials("bot", () -> "t").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pushTo(URI)");

        Path local = repos.bare.getRepository().getDirectory().toPath();
        GitTools byFileUrl = GitTools.builder(repos.root).pushTo(local.toUri()).build();
        assertThat(byFileUrl.pushRemote()).contains(local.toRealPath());
        assertThat(byFileUrl.pushUrl()).isEmpty();
        assertThat(byFileUrl.tool("git_push").orElseThrow().requiredCapabilities(args().build()))
                .contains(Capability.fileWrite(local.toRealPath()));
        assertThat(repos.server.requests()).isEmpty();
    }
}
