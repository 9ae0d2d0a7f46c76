package dev.agentrt.tools.git;

import static dev.agentrt.tools.git.GitFixture.CLOCK;
import static dev.agentrt.tools.git.GitFixture.args;
import static dev.agentrt.tools.git.GitFixture.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.internal.net.Network;
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

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
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

    @RegisterExtension
    final ServedRepos repos = new ServedRepos(() -> tmp, served -> GitHttpServer.startTls(served, serverTls()));

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
        return GitTools.builder(repos.root)
                .author("Bot", "bot@example.com")
                .clock(CLOCK)
                .network(network)
                .pushTo(URI.create("https://" + host + ":" + repos.server.port() + "/remote.git"))
                .build();
    }

    private Grants grants(String host) {
        return Grants.of(Capability.fileRead(repos.root),
                Capability.net(host, repos.server.port()).allowingPrivateAddresses());
    }

    private ObjectId remoteRef() throws Exception {
        return repos.bare.getRepository().resolve("refs/heads/main");
    }

    @Test
    void pushesOverHttpsToTheCheckedAddressVerifyingTheRemotesName() throws Exception {
        net.answer("egress.test", "127.0.0.1");

        ToolResult r = call(tools("egress.test", net.network().withTls(clientTls().getSocketFactory())),
                grants("egress.test"), "git_push", args().build());

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(remoteRef()).isEqualTo(repos.git.getRepository().resolve("main"));
        assertThat(net.lookups()).isNotEmpty().containsOnly("egress.test");
        assertThat(repos.server.requests())
                .allMatch(q -> ("egress.test:" + repos.server.port()).equals(q.header("Host")));
    }

    @Test
    void aCertificateThatDoesNotNameTheRemoteFailsBeforeAnyRequest() throws Exception {
        net.answer("other.test", "127.0.0.1");

        ToolResult r = call(tools("other.test", net.network().withTls(clientTls().getSocketFactory())),
                grants("other.test"), "git_push", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("TLS", "other.test");
        assertThat(repos.server.requests()).isEmpty();
        assertThat(remoteRef()).isNull();
    }

    @Test
    void theRepositoryCannotTurnCertificateVerificationOff() throws Exception {
        StoredConfig config = repos.git.getRepository().getConfig();
        config.setBoolean("http", null, "sslVerify", false);
        config.save();
        net.answer("egress.test", "127.0.0.1");

        // The JDK's trust store, which does not hold the test's self-signed certificate.
        ToolResult r = call(tools("egress.test", net.network()), grants("egress.test"), "git_push", args().build());

        assertThat(r.errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(r.content()).contains("TLS");
        assertThat(repos.server.requests()).isEmpty();
        assertThat(remoteRef()).isNull();
    }
}
