package dev.agentrt.core.egress;

import static dev.agentrt.core.testing.RawHttpServer.Script.raw;
import static dev.agentrt.core.testing.RawHttpServer.Script.redirect;
import static dev.agentrt.core.testing.RawHttpServer.Script.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.CapabilityDeniedException;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.security.UrlGuard.RefusedException;
import dev.agentrt.core.security.UrlGuard.RefusedException.Reason;
import dev.agentrt.core.testing.GrantsContext;
import dev.agentrt.core.testing.RawHttpServer;
import dev.agentrt.core.testing.TestNetwork;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The egress layer's decisions: which destinations, which addresses, which redirects; through {@link Egress#send}. */
class EgressTest {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly();

    final RawHttpServer server = RawHttpServer.start();
    final RawHttpServer other = RawHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
        other.close();
        assertThat(server.failures()).isEmpty();
    }

    Egress egress() {
        return Egress.builder().network(net.network()).build();
    }

    EgressResponse get(String url, Capability... grants) {
        return egress().send(EgressRequest.get(url), GrantsContext.of(grants)).block(Duration.ofSeconds(30));
    }

    Throwable failure(String url, Capability... grants) {
        return failure(egress(), EgressRequest.get(url), grants);
    }

    static Throwable failure(Egress egress, EgressRequest request, Capability... grants) {
        try {
            EgressResponse r = egress.send(request, GrantsContext.of(grants)).block(Duration.ofSeconds(30));
            throw new AssertionError("no failure: " + r);
        } catch (RuntimeException e) {
            return e;
        }
    }

    static Reason refusal(Throwable t) {
        assertThat(t).isInstanceOf(RefusedException.class);
        return ((RefusedException) t).reason();
    }

    InetSocketAddress loopback(RawHttpServer s) {
        return new InetSocketAddress(LOOPBACK, s.port());
    }

    // ------------------------------------------------------------------ names, addresses, grants

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.5", "169.254.169.254", "192.168.1.20", "100.64.1.1", "fd12::7"})
    void aGrantNamingAHostExactlyDoesNotReachANonPublicAddressItResolvesTo(String address) {
        net.answer("granted.test", address);
        Throwable t = failure("http://granted.test:" + server.port() + "/", Capability.net("granted.test"));
        assertThat(refusal(t)).isEqualTo(Reason.NOT_PUBLIC);
        assertThat(t.getMessage()).contains(address.equals("fd12::7") ? "fd12::7" : address);
        assertThat(net.connects()).as("refused before any connection").isEmpty();
        assertThat(server.connections()).isZero();
    }

    @Test
    void aGrantAllowingPrivateAddressesReachesTheNamesLoopbackAddressByName() {
        net.answer("devbox.test", "127.0.0.1");
        server.enqueue(text(200, "text/plain", "hello"));
        EgressResponse r = get("http://devbox.test:" + server.port() + "/a?b=c",
                Capability.net("devbox.test", server.port()).allowingPrivateAddresses());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("hello");
        assertThat(r.url()).isEqualTo("http://devbox.test:" + server.port() + "/a?b=c");
        assertThat(server.requests()).singleElement().satisfies(req -> {
            assertThat(req.target()).isEqualTo("/a?b=c");
            assertThat(req.header("Host")).isEqualTo("devbox.test:" + server.port());
            assertThat(req.header("Connection")).isEqualTo("close");
            assertThat(req.header("Accept-Encoding")).isEqualTo("identity");
        });
        assertThat(net.connects()).containsExactly(loopback(server));
    }

    @Test
    void metadataIsNeverReachedThroughANameWhateverTheGrants() {
        net.answer("sneaky.test", "169.254.169.254");
        Throwable t = failure("http://sneaky.test/latest/meta-data/",
                Capability.net("sneaky.test").allowingPrivateAddresses(), Capability.net("169.254.169.254"));
        assertThat(refusal(t)).isEqualTo(Reason.NOT_PUBLIC);
        assertThat(t.getMessage()).contains("169.254.169.254", "metadata");
        assertThat(net.connects()).isEmpty();
    }

    @Test
    void oneNonPublicAddressAmongPublicOnesRefusesTheHost() {
        net.answer("mixed.test", "8.8.8.8", "10.1.1.1");
        assertThat(refusal(failure("http://mixed.test/", Capability.net("*")))).isEqualTo(Reason.NOT_PUBLIC);
        assertThat(net.connects()).isEmpty();
    }

    @Test
    void anAddressGrantReachesThatAddressWhenTheUrlNamesItAndAWildcardNeverDoes() {
        server.enqueue(text(200, "text/plain", "local"));
        assertThat(get(server.url() + "/", Capability.net("127.0.0.1", server.port())).bodyText()).isEqualTo("local");
        assertThat(refusal(failure(server.url() + "/", Capability.net("*")))).isEqualTo(Reason.NOT_PUBLIC);
        assertThat(refusal(failure("http://2130706433:" + server.port() + "/", Capability.net("*"))))
                .isEqualTo(Reason.NOT_PUBLIC);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aHostWithoutAGrantIsDeniedBeforeItIsLookedUp() {
        net.answer("elsewhere.test", "127.0.0.1");
        assertThat(failure("http://elsewhere.test/", Capability.net("granted.test")))
                .isInstanceOf(CapabilityDeniedException.class);
        assertThat(net.lookups()).isEmpty();
    }

    @Test
    void aHostThatDoesNotResolveIsRefusedAsUnresolved() {
        Throwable t = failure("http://nowhere.test/", Capability.net("*"));
        assertThat(refusal(t)).isEqualTo(Reason.UNRESOLVED);
        assertThat(t.getMessage()).contains("nowhere.test");
    }

    @Test
    void theNameIsResolvedOnceAndTheConnectionGoesToTheAddressThatWasChecked() {
        // A rebinding resolver: the first answer passes the check, a second lookup would get another address.
        net.answers("flip.test", List.of("127.0.0.1"), List.of("10.0.0.9"));
        server.enqueue(text(200, "text/plain", "pinned"));
        EgressResponse r = get("http://flip.test:" + server.port() + "/",
                Capability.net("flip.test").allowingPrivateAddresses());
        assertThat(r.bodyText()).isEqualTo("pinned");
        assertThat(net.lookups()).containsExactly("flip.test");
        assertThat(net.connects()).containsExactly(loopback(server));
    }

    @Test
    void ipv6LiteralsAreGrantedByAddressAndSentWithABracketedHost() {
        net.route("::1");
        server.enqueue(text(200, "text/plain", "six"));
        EgressResponse r = get("http://[0:0:0:0:0:0:0:1]:" + server.port() + "/v6", Capability.net("::1",
                server.port()));
        assertThat(r.bodyText()).isEqualTo("six");
        assertThat(r.url()).isEqualTo("http://[::1]:" + server.port() + "/v6");
        assertThat(server.requests().get(0).header("Host")).isEqualTo("[::1]:" + server.port());
        assertThat(net.connects()).singleElement()
                .satisfies(a -> assertThat(a.getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1"));
        for (String host : List.of("[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[fd00:ec2::254]", "[fe80::1]",
                "[::]")) {
            assertThat(refusal(failure("http://" + host + ":" + server.port() + "/", Capability.net("*"))))
                    .as(host)
                    .isEqualTo(Reason.NOT_PUBLIC);
        }
        assertThat(net.connects()).hasSize(1);
    }

    // ------------------------------------------------------------------------------ redirects

    @Test
    void everyRedirectHopNeedsItsOwnGrantAndAnUngrantedOneIsNeverContacted() {
        server.enqueue(redirect(302, other.url() + "/admin"));
        var context = GrantsContext.of(Capability.net("127.0.0.1", server.port()));
        assertThatThrownBy(() -> egress().send(EgressRequest.get(server.url() + "/"), context)
                .block(
                        Duration.ofSeconds(30)))
                .isInstanceOf(CapabilityDeniedException.class);
        assertThat(context.required()).containsExactly(Capability.net("127.0.0.1", server.port()),
                Capability.net("127.0.0.1", other.port()));
        assertThat(other.connections()).isZero();
    }

    @Test
    void aRedirectToAPrivateOrMetadataAddressIsRefusedBeforeConnecting() {
        net.answer("sneaky.test", "169.254.169.254");
        Capability[] grants = {Capability.net("127.0.0.1", server.port()), Capability.net("*")};
        for (String location : List.of("http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/",
                "http://sneaky.test/latest", "http://[::1]:" + other.port() + "/", "http://localhost:" + other.port()
                        + "/")) {
            server.enqueue(redirect(307, location));
            assertThat(refusal(failure(server.url() + "/", grants))).as(location).isEqualTo(Reason.NOT_PUBLIC);
        }
        assertThat(net.connects()).hasSize(5).allSatisfy(a -> assertThat(a).isEqualTo(loopback(server)));
        assertThat(other.connections()).isZero();
    }

    @Test
    void aRedirectLoopStopsAtTheLimit() {
        server.otherwise(redirect(302, "/again"));
        Egress e = Egress.builder().network(net.network()).limits(EgressLimits.DEFAULT.withMaxRedirects(3)).build();
        Throwable t = failure(e, EgressRequest.get(server.url() + "/start"), Capability.net("127.0.0.1"));
        assertThat(t).isInstanceOfSatisfying(EgressException.class,
                x -> assertThat(x.kind()).isEqualTo(EgressException.Kind.TOO_MANY_REDIRECTS));
        assertThat(server.requests()).extracting(RawHttpServer.Request::target)
                .containsExactly("/start", "/again", "/again", "/again");
    }

    @Test
    void redirectsWithinTheLimitAreFollowedAndCounted() {
        server.enqueue(redirect(301, "/b"), redirect(308, server.url() + "/c"), text(200, "text/plain", "end"));
        EgressResponse r = get(server.url() + "/a", Capability.net("127.0.0.1"));
        assertThat(r.bodyText()).isEqualTo("end");
        assertThat(r.redirects()).isEqualTo(2);
        assertThat(r.url()).isEqualTo(server.url() + "/c");
    }

    @Test
    void aRedirectIsNotFollowedWhenTheRequestSaysSo() {
        server.enqueue(redirect(302, "/elsewhere"));
        EgressResponse r = egress().send(EgressRequest.builder("GET", server.url() + "/")
                .followRedirects(false)
                .build(), GrantsContext.of(Capability.net("127.0.0.1"))).block(Duration.ofSeconds(30));
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).isEqualTo("/elsewhere");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void seeOtherBecomesAGetAndCredentialsDoNotLeaveTheOrigin() {
        server.enqueue(redirect(307, "/same"), redirect(303, other.url() + "/other"));
        other.enqueue(text(200, "text/plain", "done"));
        EgressRequest post = EgressRequest.builder("POST", server.url() + "/jobs")
                .header("Authorization", "Bearer secret")
                .header("Content-Type", "application/json")
                .body("{\"a\":1}".getBytes(StandardCharsets.UTF_8))
                .build();
        EgressResponse r = egress().send(post, GrantsContext.of(Capability.net("127.0.0.1")))
                .block(
                        Duration.ofSeconds(30));
        assertThat(r.bodyText()).isEqualTo("done");
        assertThat(server.requests()).extracting(RawHttpServer.Request::method).containsExactly("POST", "POST");
        assertThat(server.requests().get(1).header("Authorization")).as("307 keeps method, body and credentials")
                .isEqualTo("Bearer secret");
        assertThat(new String(server.requests().get(1).body(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        RawHttpServer.Request last = other.requests().get(0);
        assertThat(last.method()).isEqualTo("GET");
        assertThat(last.body()).isEmpty();
        assertThat(last.header("Authorization")).isNull();
        assertThat(last.header("Content-Type")).isNull();
    }

    // --------------------------------------------------------------------------- limits, cancel

    @Test
    void aBodyLongerThanTheLimitIsCutAndTheRestNeverRead() {
        server.enqueue(text(200, "text/plain", "x".repeat(100_000)));
        Egress small = Egress.builder()
                .network(net.network())
                .limits(EgressLimits.DEFAULT.withMaxResponseBytes(1000))
                .build();
        EgressResponse r = small.send(EgressRequest.get(server.url() + "/"), GrantsContext.of(Capability.net(
                "127.0.0.1"))).block(Duration.ofSeconds(30));
        assertThat(r.body()).hasSize(1000);
        assertThat(r.truncated()).isTrue();
        server.enqueue(text(200, "text/plain", "12345"));
        EgressResponse exact = Egress.builder()
                .network(net.network())
                .limits(EgressLimits.DEFAULT
                        .withMaxResponseBytes(5))
                .build()
                .send(EgressRequest.get(server.url() + "/"), GrantsContext.of(
                        Capability.net("127.0.0.1")))
                .block(Duration.ofSeconds(30));
        assertThat(exact.truncated()).as("a body exactly at the limit is whole").isFalse();
        assertThat(exact.bodyText()).isEqualTo("12345");
    }

    @Test
    void cancellingTheRequestClosesTheConnection() throws Exception {
        var requestArrived = new CountDownLatch(1);
        var clientGone = new CountDownLatch(1);
        server.enqueue((request, in, out) -> {
            requestArrived.countDown();
            // Answer nothing; the read ends when the client closes the connection.
            assertThat(in.read()).isEqualTo(-1);
            clientGone.countDown();
        });
        StepVerifier.create(egress().send(EgressRequest.get(server.url() + "/"), GrantsContext.of(Capability.net(
                "127.0.0.1"))))
                .expectSubscription()
                .then(() -> await(requestArrived))
                .thenCancel()
                .verify(Duration.ofSeconds(30));
        await(clientGone);
    }

    static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------------ the public types

    @Test
    void aToolOfYourOwnSendsThroughTheEgressAsTheReadmeShows() {
        Egress egress = egress();
        Tool status = Tool.builder("service_status")
                .description("Fetches a status page")
                .handler((args, ctx) -> egress.send(EgressRequest.get(args.getString("url").orElseThrow()), ctx)
                        .map(r -> ToolResult.text(r.status() + " " + r.bodyText()))
                        .onErrorResume(e -> Mono.just(Egress.errorResult(e))))
                .build();
        server.enqueue(text(200, "text/plain", "all good"));
        String args = "{\"url\":\"" + server.url() + "/status\"}";
        ToolResult ok = ToolRegistry.of(status)
                .execute(new ToolCall("c1", "service_status", args), ToolExecution.of("t1", Principal.ANONYMOUS,
                        Grants.of(Capability.net("127.0.0.1", server.port()))))
                .block(Duration.ofSeconds(30));
        assertThat(ok.content()).isEqualTo("200 all good");
        ToolResult denied = ToolRegistry.of(status)
                .execute(new ToolCall("c2", "service_status", args), ToolExecution.of("t1", Principal.ANONYMOUS,
                        Grants.of(Capability.net("*"))))
                .block(Duration.ofSeconds(30));
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(denied.content()).contains("loopback");
        ToolResult ungranted = ToolRegistry.of(status)
                .execute(new ToolCall("c3", "service_status", args), ToolExecution.of("t1", Principal.ANONYMOUS,
                        Grants.none()))
                .block(Duration.ofSeconds(30));
        assertThat(ungranted.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void requestsRefuseHeadersTheLayerSetsAndMalformedOnes() {
        for (String h : List.of("Host", "content-length", "Transfer-Encoding", "Connection", "Accept-Encoding",
                "Proxy-Authorization", "Upgrade")) {
            assertThatThrownBy(() -> EgressRequest.builder("GET", "http://a.test/").header(h, "x").build()).as(h)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("egress layer");
        }
        assertThatThrownBy(() -> EgressRequest.builder("GET", "http://a.test/").header("X-A", "1\r\nX-B: 2").build())
                .hasMessageContaining("control");
        assertThatThrownBy(() -> EgressRequest.builder("GET", "http://a.test/").header("X A", "1").build())
                .hasMessageContaining("token");
        assertThatThrownBy(() -> EgressRequest.builder("GE T", "http://a.test/").build()).hasMessageContaining("token");
        assertThat(refusal(failure("ftp://a.test/", Capability.net("*")))).isEqualTo(Reason.INVALID_URL);
        byte[] body = {1, 2, 3};
        EgressRequest r = EgressRequest.builder("PUT", "http://a.test/").body(body).build();
        body[0] = 9;
        assertThat(r.body()).containsExactly(1, 2, 3);
    }

    @Test
    void failuresBecomeResultsTheModelCanRead() {
        assertThat(Egress.errorResult(new RefusedException(Reason.NOT_PUBLIC, "no")).errorKind())
                .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(Egress.errorResult(new RefusedException(Reason.INVALID_URL, "bad")).errorKind())
                .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(Egress.errorResult(new CapabilityDeniedException("denied", List.of())).errorKind())
                .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        ToolResult timeout = Egress.errorResult(new EgressException(EgressException.Kind.TIMEOUT, "slow"));
        assertThat(timeout.errorKind()).isEqualTo(ToolErrorKind.TIMEOUT);
        assertThat(timeout.content()).isEqualTo("slow");
        assertThat(Egress.errorResult(new EgressException(EgressException.Kind.BAD_RESPONSE, "junk")).content())
                .isEqualTo("junk");
        assertThat(new EgressException(EgressException.Kind.BROKEN, "x").isRetryable()).isTrue();
        assertThat(new EgressException(EgressException.Kind.TLS, "x").isRetryable()).isFalse();
    }
}
