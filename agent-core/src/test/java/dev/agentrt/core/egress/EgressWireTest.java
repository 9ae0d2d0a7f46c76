package dev.agentrt.core.egress;

import static dev.agentrt.core.testing.RawHttpServer.Script.raw;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.egress.EgressException.Kind;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.testing.GrantsContext;
import dev.agentrt.core.testing.RawHttpServer;
import dev.agentrt.core.testing.TestNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The egress layer reading what a hostile or broken server sends: every response below comes byte
 * for byte from a server on 127.0.0.1, and each malformed one must end as an {@link EgressException}
 * of the right kind with a message that says what was wrong, never as a response.
 */
class EgressWireTest {
    @RegisterExtension
    final TestNetwork net = TestNetwork.loopbackOnly();

    final RawHttpServer server = RawHttpServer.start();

    @AfterEach
    void stop() {
        server.close();
    }

    EgressResponse get(Egress egress, String path) {
        return egress.send(EgressRequest.get(server.url() + path), GrantsContext.of(Capability.net("127.0.0.1")))
                .block(Duration.ofSeconds(30));
    }

    EgressResponse answer(String response) {
        server.enqueue(raw(response));
        return get(Egress.builder().network(net.network()).build(), "/");
    }

    EgressException failure(String response) {
        server.enqueue(raw(response));
        return failure(Egress.builder().network(net.network()).build());
    }

    EgressException failure(Egress egress) {
        try {
            EgressResponse r = get(egress, "/");
            throw new AssertionError("no failure: " + r + " " + r.bodyText());
        } catch (EgressException e) {
            return e;
        }
    }

    // -------------------------------------------------------------------------------- chunked

    @Test
    void aChunkedBodyIsReassembled() {
        EgressResponse r = answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
        assertThat(r.bodyText()).isEqualTo("hello world");
        assertThat(r.truncated()).isFalse();
    }

    @Test
    void chunkExtensionsAreIgnoredAndTrailersReadButNotMergedIntoTheHeaders() {
        EgressResponse r = answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\nX-Head: h\r\n\r\n"
                + "5;name=value;flag\r\nhello\r\n00A \t; quoted=\"a;b\"\r\n, chunked!\r\n0;last\r\n"
                + "X-Trailer: t\r\nServer-Timing: db;dur=53\r\n\r\n");
        assertThat(r.bodyText()).isEqualTo("hello, chunked!");
        assertThat(r.header("x-head")).isEqualTo("h");
        assertThat(r.header("x-trailer")).isNull();
    }

    @Test
    void aChunkedBodyAcceptsBareLineFeeds() {
        assertThat(answer("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n").bodyText())
                .isEqualTo("abc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "xyz", "-5", "+5", "0x5", "5 junk", "5=5", " 5", "11111111111111111",
            "fffffffffffffffff"})
    void aMalformedChunkSizeIsABadResponse(String size) {
        EgressException e = failure(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nhello\r\n0\r\n"
                        + "\r\n");
        assertThat(e.kind()).as(size).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("chunk size");
    }

    @Test
    void aChunkLargerThanAnyBodyCanBeIsRefusedWithoutAllocatingIt() {
        EgressException e = failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab");
        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("larger than any body");
    }

    @Test
    void anOversizedChunkIsCutAtTheBodyLimit() {
        server.enqueue(raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\n" + "y".repeat(
                5000)));
        Egress small = Egress.builder()
                .network(net.network())
                .limits(EgressLimits.DEFAULT.withMaxResponseBytes(64))
                .build();
        EgressResponse r = get(small, "/");
        assertThat(r.body()).hasSize(64);
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void aChunkLongerThanItsSizeIsABadResponse() {
        EgressException e = failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n");
        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("not followed by CRLF");
    }

    @Test
    void aChunkedBodyThatEndsWithoutTheLastChunkIsBroken() {
        assertThat(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n").kind())
                .isEqualTo(Kind.BROKEN);
        assertThat(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel").kind())
                .isEqualTo(Kind.BROKEN);
        assertThat(failure("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: t\r\n").kind())
                .as("trailers without their end")
                .isEqualTo(Kind.BROKEN);
    }

    @Test
    void oversizedChunkExtensionsAndTrailersAreBadResponses() {
        String ext = ";" + "e".repeat(10_000);
        var many = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 8; i++) {
            many.append("1").append(ext).append("\r\nx\r\n");
        }
        assertThat(failure(many.append("0\r\n\r\n").toString()).getMessage()).contains("extensions");
        var trailers = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n");
        for (int i = 0; i < 300; i++) {
            trailers.append("T").append(i).append(": v\r\n");
        }
        assertThat(failure(trailers.append("\r\n").toString()).getMessage()).contains("trailer");
    }

    // ---------------------------------------------------------------------- status and headers

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 Low",
            "HTTP/1.1 600 High", "ICY 200 OK", "HTTP/1.1 abc OK", "http/1.1 200 OK", "HTTP/1.1  200 OK",
            "HTTP/1.1 200OK", "HTTP/1.2 200 OK", "HTTP/1.1\t200 OK", "<html>hello</html>"})
    void aBadStatusLineIsABadResponse(String statusLine) {
        EgressException e = failure(statusLine + "\r\nContent-Length: 0\r\n\r\n");
        assertThat(e.kind()).as(statusLine).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("status");
    }

    @Test
    void aStatusLineWithoutReasonAndAnHttp10ResponseAreFine() {
        assertThat(answer("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok").bodyText()).isEqualTo("ok");
        assertThat(answer("HTTP/1.0 200 OK\r\n\r\nread to the end").bodyText()).isEqualTo("read to the end");
    }

    @Test
    void garbageIsABadResponse() {
        byte[] junk = new byte[512];
        new java.util.Random(42).nextBytes(junk);
        junk[3] = 'x'; // whatever the seed, not a line that could start "HTTP/1."
        server.enqueue(raw(junk));
        EgressException e = failure(Egress.builder().network(net.network()).build());
        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
    }

    @Test
    void aHeaderLineWithoutAColonIsABadResponse() {
        EgressException e = failure("HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\nhello");
        assertThat(e.kind()).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).contains("without a colon");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length : 5", "Bad Name: x", ": empty", "X-Nul: a\u0000b", "Na\u00efve: x"})
    void anInvalidFieldIsABadResponse(String header) {
        assertThat(failure("HTTP/1.1 200 OK\r\n" + header + "\r\nContent-Length: 5\r\n\r\nhello").kind()).as(header)
                .isEqualTo(Kind.BAD_RESPONSE);
    }

    @Test
    void aBareCarriageReturnIsABadResponse() {
        assertThat(failure("HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n").getMessage())
                .contains("bare CR");
    }

    @Test
    void foldedHeaderLinesAreUnfolded() {
        EgressResponse r = answer("HTTP/1.1 200 OK\r\nX-Folded: one\r\n  two\r\n\tthree\r\nContent-Length: 0\r\n\r\n");
        assertThat(r.header("x-folded")).isEqualTo("one two three");
        assertThat(failure("HTTP/1.1 200 OK\r\n continued\r\n\r\n").kind()).isEqualTo(Kind.BAD_RESPONSE);
    }

    @Test
    void oversizedHeadersAreBadResponses() {
        assertThat(failure("HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(20_000) + "\r\n\r\n").getMessage())
                .contains("longer than");
        var many = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 201; i++) {
            many.append("X-").append(i).append(": v\r\n");
        }
        assertThat(failure(many.append("\r\n").toString()).getMessage()).contains("response headers are larger");
        var big = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < 10; i++) {
            big.append("X-").append(i).append(": ").append("b".repeat(8000)).append("\r\n");
        }
        assertThat(failure(big.append("\r\n").toString()).getMessage()).contains("response headers are larger");
    }

    @Test
    void interimResponsesAreSkippedUpToALimitAndSwitchingProtocolsIsRefused() {
        assertThat(answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone").bodyText()).isEqualTo("done");
        assertThat(failure("HTTP/1.1 100 Continue\r\n\r\n".repeat(17) + "HTTP/1.1 200 OK\r\n\r\n").getMessage())
                .contains("interim");
        assertThat(failure("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n").getMessage())
                .contains("switched protocols");
    }

    // ---------------------------------------------------------------------------------- framing

    @Test
    void withoutALengthTheBodyRunsToTheEndOfTheConnection() {
        assertThat(answer("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close").bodyText())
                .isEqualTo("until close");
    }

    @Test
    void aRepeatedContentLengthWithOneValueIsAccepted() {
        assertThat(answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello").bodyText())
                .isEqualTo("hello");
        assertThat(answer("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhelloEXTRA").bodyText()).isEqualTo("hello");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: 5\r\nContent-Length: 6", "Content-Length: 5, 6", "Content-Length: -1",
            "Content-Length: +5", "Content-Length: 5a", "Content-Length: ", "Content-Length: 1e3",
            "Content-Length: 99999999999999999999", "Content-Length: 5\r\nTransfer-Encoding: chunked",
            "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked, gzip", "Transfer-Encoding: identity",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"})
    void ambiguousOrUnsupportedFramingIsABadResponse(String framing) {
        EgressException e = failure("HTTP/1.1 200 OK\r\n" + framing + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        assertThat(e.kind()).as(framing).isEqualTo(Kind.BAD_RESPONSE);
        assertThat(e.getMessage()).containsAnyOf("Content-Length", "Transfer-Encoding", "transfer coding");
    }

    @Test
    void chunkedFramingInAnHttp10ResponseIsABadResponse() {
        assertThat(failure("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").getMessage())
                .contains("HTTP/1.0");
    }

    @Test
    void aConnectionThatClosesEarlyIsBroken() {
        assertThat(failure("").kind()).isEqualTo(Kind.BROKEN);
        assertThat(failure("HTTP/1.1 200 OK\r\n").kind()).isEqualTo(Kind.BROKEN);
        assertThat(failure("HTTP/1.1 200 OK\r\nContent-Le").kind()).isEqualTo(Kind.BROKEN);
        EgressException body = failure("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..");
        assertThat(body.kind()).isEqualTo(Kind.BROKEN);
        assertThat(body.getMessage()).contains("10 bytes into a body of 100");
    }

    @Test
    void noBodyIsReadForHeadOr204Or304() {
        server.enqueue(raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
        EgressResponse head = Egress.builder()
                .network(net.network())
                .build()
                .send(EgressRequest.builder("HEAD",
                        server.url() + "/").build(), GrantsContext.of(Capability.net("127.0.0.1")))
                .block(Duration.ofSeconds(
                        30));
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(answer("HTTP/1.1 204 No Content\r\nContent-Length: 50\r\n\r\n").body()).isEmpty();
        assertThat(answer("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n").body()).isEmpty();
    }

    @Test
    void aClosedPortFailsToConnect() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        EgressException e;
        try {
            Egress.builder()
                    .network(net.network())
                    .build()
                    .send(EgressRequest.get("http://127.0.0.1:" + closed + "/"),
                            GrantsContext.of(Capability.net("127.0.0.1")))
                    .block(Duration.ofSeconds(30));
            throw new AssertionError("connected to a closed port");
        } catch (EgressException x) {
            e = x;
        }
        assertThat(e.kind()).isEqualTo(Kind.CONNECT);
        assertThat(e.getMessage()).contains("Could not connect");
    }

    // -------------------------------------------------------------------------------- deadlines

    /**
     * A clock that moves a second each time it is read, and lets the server send one more byte each
     * time: however fast or slow the machine, the server never finishes, and only the deadline (30
     * reads of the clock) can end the request.
     */
    static final class TrickleClock implements LongSupplier {
        final AtomicLong now = new AtomicLong();
        final Semaphore bytes = new Semaphore(0);

        @Override
        public long getAsLong() {
            bytes.release();
            return now.addAndGet(1_000_000_000L);
        }

        RawHttpServer.Script trickle(String head) {
            return (request, in, out) -> {
                RawHttpServer.write(out, head);
                while (true) {
                    bytes.acquire();
                    RawHttpServer.write(out, "a");
                }
            };
        }
    }

    @Test
    void aServerTricklingItsHeadersOneByteAtATimeEndsAtTheDeadline() {
        var clock = new TrickleClock();
        server.enqueue(clock.trickle("HTTP/1.1 200 OK\r\nX-Slow: "));
        Egress slowloris = Egress.builder()
                .network(net.network().withClock(clock))
                .limits(EgressLimits.DEFAULT
                        .withTimeout(Duration.ofSeconds(30)))
                .build();
        EgressException e = failure(slowloris);
        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("took longer than its time limit");
    }

    @Test
    void aServerTricklingItsBodyEndsAtTheDeadline() {
        var clock = new TrickleClock();
        server.enqueue(clock.trickle("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"));
        Egress slowloris = Egress.builder()
                .network(net.network().withClock(clock))
                .limits(EgressLimits.DEFAULT
                        .withTimeout(Duration.ofSeconds(30)))
                .build();
        assertThat(failure(slowloris).kind()).isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void aServerThatSaysNothingEndsAtTheDeadline() {
        server.enqueue((request, in, out) -> {
            // Hold the connection open, silent, until the client gives up and closes it.
            while (in.read() >= 0) {
                continue;
            }
        });
        Egress quick = Egress.builder()
                .network(net.network())
                .limits(EgressLimits.DEFAULT.withTimeout(Duration
                        .ofMillis(200)))
                .build();
        assertThat(failure(quick).kind()).isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void theRequestIsWrittenAsHttp11WithItsBody() {
        server.enqueue(raw("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"));
        EgressResponse r = Egress.builder()
                .network(net.network())
                .build()
                .send(EgressRequest.builder("PATCH",
                        server.url() + "/items/7?x=%20y")
                        .header("Content-Type", "application/json")
                        .header("X-Multi", "a")
                        .header("X-Multi", "b")
                        .body("{\"n\":1}".getBytes(StandardCharsets.UTF_8))
                        .build(),
                        GrantsContext.of(
                                Capability.net("127.0.0.1")))
                .block(Duration.ofSeconds(30));
        assertThat(r.status()).isEqualTo(201);
        RawHttpServer.Request sent = server.requests().get(0);
        assertThat(sent.method()).isEqualTo("PATCH");
        assertThat(sent.target()).isEqualTo("/items/7?x=%20y");
        assertThat(sent.header("Content-Length")).isEqualTo("7");
        assertThat(sent.header("X-Multi")).isEqualTo("a, b");
        assertThat(new String(sent.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
    }
}
