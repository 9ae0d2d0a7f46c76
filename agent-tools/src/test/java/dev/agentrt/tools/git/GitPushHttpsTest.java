package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.args;
import static dev.agentrt.tools.git.GitFixture.call;
import static dev.agentrt.tools.git.GitFixture.commit;
import static dev.agentrt.tools.git.GitFixture.init;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentrt.core.internal.net.Network;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.testing.TestNetwork;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolResult;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

/**
 * {@code git_push} over https: the egress layer connects to the checked address and verifies the certificate against
 * the remote's host name, whatever JGit's configuration says. The server's certificate (agent-core's test resource
 * {@code tls/egress-test.p12}) names {@code egress.test} and {@code 127.0.0.1}.
 */
class GitPushHttpsTest {
    private static final char[] PASSWORD = "egress-test".toCharArray();

    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly();

    @TempDir
    Path tmp;

    Path root;
    Git git;
    Git bare;
    GitHttpServer server;

    @BeforeEach
    void repositories() throws Exception {
        assumeTrue(GitFixture.gitInstalled(), "git is not installed");
        root = Files.createDirectory(tmp.resolve("repo"));
        git = init(root);
        commit(git, "Initial", "a.txt", "a\n");
        Path served = Files.createDirectory(tmp.resolve("served"));
        bare = Git.init()
                .setBare(true)
                .setDirectory(served.resolve("remote.git").toFile())
                .setInitialBranch("main")
                .call();
        server = GitHttpServer.startTls(served, serverTls());
    }

    @AfterEach
    void nothingLeftRunning() {
        if (server != null) {
            server.close();
            assertThat(server.running()).as("still running after the test").isEmpty();
        }
    }

    private static KeyStore keyStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = GitPushHttpsTest.class.getResourceAsStream("/tls/egress-test.p12")) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    private static SSLContext serverTls() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore(), PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A client trusting the test certificate and nothing else. */
    private static SSLContext clientTls() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("egress", keyStore().getCertificate("egress"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private GitTools tools(String host, Network network) {
        return GitTools.builder(root)
                .author("Bot", "bot@example.com")
                .clock(CLOCK)
                .network(network)
                .pushTo(URI.create("https://" + host + ":" + server.port() + "/remote.git"))
                .build();
    }

    private Grants grants(String host) {
        return Grants.of(Capability.fileRead(root), Capability.net(host, server.port()).allowingPrivateAddresses());
    }

    private ObjectId remoteRef() throws Exception {
        return bare.getRepository().resolve("refs/heads/main");
    }

    @Test
    void pushesOverHttpsToTheCheckedAddressVerifyingTheRemotesName() throws Exception {
        net.answer("egress.test", "127.0.0.1");

        ToolResult r = call(tools("egress.test", net.network().withTls(clientTls().getSocketFactory())),
                grants("egress.test"), "git_push", args().build());

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(remoteRef()).isEqualTo(git.getRepository().resolve("main"));
        assertThat(net.lookups()).isNotEmpty().containsOnly("egress.test");
        assertThat(server.requests()).allMatch(q -> ("egress.test:" + server.port()).equals(q.header("Host")));
    }

    @Test
    void aCertificateThatDoesNotNameTheRemoteFailsBeforeAnyRequest() throws Exception {
        net.answer("other.test", "127.0.0.1");

        ToolResult r = call(tools("other.test", net.network().withTls(clientTls().getSocketFactory())),
                grants("other.test"), "git_push", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("TLS", "other.test");
        assertThat(server.requests()).isEmpty();
        assertThat(remoteRef()).isNull();
    }

    @Test
    void theRepositoryCannotTurnCertificateVerificationOff() throws Exception {
        StoredConfig config = git.getRepository().getConfig();
        config.setBoolean("http", null, "sslVerify", false);
        config.save();
        net.answer("egress.test", "127.0.0.1");

        // The JDK's trust store, which does not hold the test's self-signed certificate.
        ToolResult r = call(tools("egress.test", net.network()), grants("egress.test"), "git_push", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("TLS");
        assertThat(server.requests()).isEmpty();
        assertThat(remoteRef()).isNull();
    }
}
