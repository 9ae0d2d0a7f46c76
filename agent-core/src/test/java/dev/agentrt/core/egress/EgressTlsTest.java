package dev.agentrt.core.egress;

import static dev.agentrt.core.testing.RawHttpServer.Script.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.security.Capability;
import dev.agentrt.core.testing.GrantsContext;
import dev.agentrt.core.testing.RawHttpServer;
import dev.agentrt.core.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyStore;
import java.time.Duration;

/**
 * https through the egress layer: the TCP connection goes to the pinned address while TLS sends the
 * URL's host as SNI and checks the certificate against it. The server's certificate
 * ({@code src/test/resources/tls}) names {@code egress.test} and {@code 127.0.0.1}.
 */
class EgressTlsTest {
    private static final char[] PASSWORD = "egress-test".toCharArray();

    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly();

    final RawHttpServer server = RawHttpServer.start(serverTls());

    @AfterEach
    void stop() {
        server.close();
    }

    static KeyStore keyStore() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = EgressTlsTest.class.getResourceAsStream("/tls/egress-test.p12")) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    static SSLContext serverTls() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(), PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client that trusts the test certificate and nothing else. */
    static SSLContext clientTls() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("egress", keyStore().getCertificate("egress"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    Egress egress() throws Exception {
        return Egress.builder().network(net.network().withTls(clientTls().getSocketFactory())).build();
    }

    EgressException failure(Egress egress, String url, Capability grant) {
        try {
            EgressResponse r = egress.send(EgressRequest.get(url), GrantsContext.of(grant))
                    .block(Duration.ofSeconds(
                            30));
            throw new AssertionError("no failure: " + r);
        } catch (EgressException e) {
            return e;
        }
    }

    @Test
    void theConnectionGoesToThePinnedAddressWhileTlsNamesAndVerifiesTheUrlsHost() throws Exception {
        net.answers("egress.test", java.util.List.of("127.0.0.1"), java.util.List.of("10.0.0.9"));
        server.enqueue(text(200, "text/plain", "secure"));
        EgressResponse r = egress().send(EgressRequest.get(server.url("egress.test") + "/s"), GrantsContext.of(
                Capability.net("egress.test").allowingPrivateAddresses())).block(Duration.ofSeconds(30));
        assertThat(r.bodyText()).isEqualTo("secure");
        assertThat(server.serverNames()).containsExactly("egress.test");
        assertThat(server.requests().get(0).header("Host")).isEqualTo("egress.test:" + server.port());
        assertThat(net.lookups()).containsExactly("egress.test");
        assertThat(net.connects()).containsExactly(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.port()));
    }

    @Test
    void anAddressInTheUrlIsVerifiedAgainstTheCertificatesAddressesAndSentWithoutSni() throws Exception {
        server.enqueue(text(200, "text/plain", "by address"));
        EgressResponse r = egress().send(EgressRequest.get(server.url() + "/"), GrantsContext.of(Capability.net(
                "127.0.0.1"))).block(Duration.ofSeconds(30));
        assertThat(r.bodyText()).isEqualTo("by address");
        assertThat(server.serverNames()).containsExactly("");
    }

    @Test
    void aCertificateForAnotherHostIsRefusedBeforeTheRequestIsSent() throws Exception {
        net.answer("other.test", "127.0.0.1");
        EgressException e = failure(egress(), server.url("other.test") + "/", Capability.net("other.test")
                .allowingPrivateAddresses());
        assertThat(e.kind()).isEqualTo(EgressException.Kind.TLS);
        assertThat(e.getMessage()).contains("TLS", "other.test");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anUntrustedCertificateIsRefused() {
        net.answer("egress.test", "127.0.0.1");
        Egress systemTrust = Egress.builder().network(net.network()).build();
        EgressException e = failure(systemTrust, server.url("egress.test") + "/", Capability.net("egress.test")
                .allowingPrivateAddresses());
        assertThat(e.kind()).isEqualTo(EgressException.Kind.TLS);
        assertThat(server.requests()).isEmpty();
    }
}
