package dev.agentrt.core;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.RetryPolicy;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.testing.FakeHttpServer;
import dev.agentrt.core.tool.Tool;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Retries of a step against real HTTP servers on 127.0.0.1 speaking OpenAI's streamed Chat Completions:
 * a reply whose connection closes early or is reset after some events, a model that always breaks, a
 * status that cannot pass.
 */
class ModelRetryOverHttpTest {
    static final String INPUT = "Count the files";
    static final String INSTRUCTIONS = "Be brief.";
    /** The text the broken replies get out before the connection breaks. */
    static final String PARTIAL_TEXT = "There are ";
    /** Retry at once: these tests are about what is retried, the backoff has its own tests. */
    static final RetryPolicy AT_ONCE = new RetryPolicy(2, Duration.ZERO, Duration.ZERO, 0, Duration.ZERO);

    static String chunk(String delta, String finish) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                + "\"model\":\"gpt-4.1-mini\",\"choices\":[{\"index\":0,\"delta\":" + delta
                + ",\"logprobs\":null,\"finish_reason\":" + finish + "}]}\n\n";
    }

    static final String ROLE = chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null");
    static final String USAGE = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-4.1-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":7,"
            + "\"total_tokens\":37}}\n\n";
    static final String DONE = "data: [DONE]\n\n";

    static final String TOOL_STREAM = ROLE
            + chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_count\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"count_files\",\"arguments\":\"{}\"}}]}", "null")
            + chunk("{}", "\"tool_calls\"") + USAGE + DONE;

    static final String PARTIAL_STREAM = ROLE + text(PARTIAL_TEXT);

    static String text(String text) {
        return chunk("{\"content\":" + JsonValue.of(text).toJson() + "}", "null");
    }

    static String textStream(String text) {
        return ROLE + text(text) + chunk("{}", "\"stop\"") + USAGE + DONE;
    }

    final FakeHttpServer server = FakeHttpServer.start();
    final AtomicInteger toolRuns = new AtomicInteger();
    final List<AgentEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        server.close();
    }

    Agent.Builder agent(String baseUrl) {
        Tool countFiles = Tool.builder("count_files")
                .handler((args, ctx) -> Mono.fromCallable(() -> ToolResult.text("3 files (run "
                        + toolRuns.incrementAndGet() + ")")))
                .build();
        return Agent.builder()
                .model(OpenAiChatModel.builder()
                        .model("gpt-4.1-mini")
                        .apiKey("sk-test-0123456789abcdefghij")
                        .baseUrl(baseUrl + "/v1")
                        .retryPolicy(RetryPolicy.NONE)
                        .build())
                .instructions(INSTRUCTIONS)
                .tools(countFiles)
                .listener(events::add)
                .modelRetry(AT_ONCE);
    }

    static List<JsonValue> messages(String requestBody) {
        return JsonValue.parse(requestBody).asObject().getArray("messages").orElseThrow().items();
    }

    static List<String> roles(String requestBody) {
        return messages(requestBody).stream().map(m -> m.asObject().getString("role").orElseThrow()).toList();
    }

    @Test
    void aReplyWhoseConnectionClosesMidStreamIsAskedAgainAndTheToolRunsOnce() {
        try (var closing = new SocketServer()) {
            closing.answer(SocketServer.whole(TOOL_STREAM), SocketServer.closeAfter(PARTIAL_STREAM),
                    SocketServer.whole(textStream("There are 3 files.")));

            AgentResult result = agent(closing.url()).build().task(INPUT).executeBlocking();

            assertThat(result.text()).isEqualTo("There are 3 files.");
            assertThat(toolRuns).hasValue(1);
            assertThat(closing.bodies).hasSize(3);
            assertThat(closing.bodies.get(2)).as("the same conversation, twice").isEqualTo(closing.bodies.get(1));
            assertThat(roles(closing.bodies.get(1))).containsExactly("system", "user", "assistant", "tool");
            assertThat(events).filteredOn(AgentEvent.ModelRetry.class::isInstance)
                    .singleElement()
                    .satisfies(e -> {
                        var retry = (AgentEvent.ModelRetry) e;
                        assertThat(retry.step()).isEqualTo(2);
                        assertThat(retry.status()).isEqualTo(200);
                        assertThat(retry.message()).contains("the connection broke during the reply");
                    });
        }
    }

    @Test
    void aConnectionResetMidReplyIsAskedAgainAndTheToolRunsOnce() {
        try (var resetting = new SocketServer()) {
            resetting.answer(SocketServer.whole(TOOL_STREAM), resetting.resetAfter(PARTIAL_STREAM),
                    SocketServer.whole(textStream("There are 3 files.")));

            AgentResult result = agent(resetting.url()).listener(resetting::releaseOnPartialText)
                    .build()
                    .task(INPUT)
                    .executeBlocking();

            assertThat(result.text()).isEqualTo("There are 3 files.");
            assertThat(toolRuns).hasValue(1);
            assertThat(resetting.bodies).hasSize(3);
            assertThat(resetting.bodies.get(2)).isEqualTo(resetting.bodies.get(1));
            assertThat(events).filteredOn(AgentEvent.ModelRetry.class::isInstance)
                    .singleElement()
                    .satisfies(e -> assertThat(((AgentEvent.ModelRetry) e).message())
                            .contains("the connection broke during the reply"));
        }
    }

    @Test
    void aModelThatAlwaysBreaksMidStreamEndsWithTheRunSoFarAndTheRunGoesOnFromIt() {
        try (var resetting = new SocketServer()) {
            resetting.answer(SocketServer.whole(TOOL_STREAM));
            resetting.otherwise(resetting.resetAfter(PARTIAL_STREAM));
            Agent agent = agent(resetting.url()).listener(resetting::releaseOnPartialText).build();

            var failure = new AtomicReference<ModelException>();
            StepVerifier.create(agent.task(INPUT).execute())
                    .expectErrorSatisfies(e -> failure.set((ModelException) e))
                    .verify(Duration.ofSeconds(30));

            ModelException e = failure.get();
            assertThat(e).hasMessageContaining("the connection broke during the reply")
                    .hasMessageEndingWith("(step 2 gave up after 2 retries)");
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.isRetryable()).isTrue();
            AgentResult partial = e.partialResult().orElseThrow();
            assertThat(partial.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(partial.transcript()).hasSize(4)
                    .last()
                    .isInstanceOfSatisfying(dev.agentrt.core.model.Message.ToolResult.class,
                            r -> assertThat(r.content()).isEqualTo("3 files (run 1)"));
            assertThat(resetting.bodies).as("one call for the tool, three for the step that broke").hasSize(4);

            resetting.otherwise(SocketServer.whole(textStream("There are 3 files.")));
            AgentResult resumed = agent.task(INPUT).withMessages(partial.transcript()).executeBlocking();

            assertThat(resumed.text()).isEqualTo("There are 3 files.");
            assertThat(toolRuns).as("no tool ran twice").hasValue(1);
            String sent = resetting.bodies.get(4);
            assertThat(roles(sent)).containsExactly("system", "user", "assistant", "tool");
            assertThat(messages(sent).get(0).asObject().getString("content")).contains(INSTRUCTIONS);
            assertThat(messages(sent).get(1).asObject().getString("content")).contains(INPUT);
            assertThat(messages(sent)).as("the conversation the failed step sent")
                    .isEqualTo(
                            messages(resetting.bodies.get(1)));
        }
    }

    @Test
    void aStatusThatCannotPassIsNotRetried() {
        for (int status : new int[]{400, 401}) {
            server.enqueue(json(status, "{\"error\":{\"message\":\"refused\",\"type\":\"invalid_request_error\","
                    + "\"param\":null,\"code\":null}}", "x-request-id", "req_" + status));
            int before = server.requests().size();

            StepVerifier.create(agent(server.url()).build().task(INPUT).execute())
                    .expectErrorSatisfies(e -> {
                        var m = (ModelException) e;
                        assertThat(m.status()).isEqualTo(status);
                        assertThat(m.isRetryable()).isFalse();
                        assertThat(m.requestId()).isEqualTo("req_" + status);
                        assertThat(m.partialResult().orElseThrow().transcript()).hasSize(2);
                    })
                    .verify(Duration.ofSeconds(30));

            assertThat(server.requests()).hasSize(before + 1);
        }
        assertThat(events).noneMatch(AgentEvent.ModelRetry.class::isInstance);
    }

    @Test
    void aFailureTheClientAlreadyRetriedIsNotRetriedAgainByTheLoop() {
        server.otherwise(r -> json(503, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\","
                + "\"param\":null,\"code\":null}}"));
        Agent.Builder retryingClient = agent(server.url()).model(OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .apiKey("sk-test-0123456789abcdefghij")
                .baseUrl(server.url() + "/v1")
                .retryPolicy(
                        RetryPolicy.DEFAULT.withMaxRetries(2).withBackoff(Duration.ofMillis(1), Duration.ofMillis(2)))
                .build());

        StepVerifier.create(retryingClient.build().task(INPUT).execute())
                .expectErrorSatisfies(e -> {
                    var m = (ModelException) e;
                    assertThat(m.status()).isEqualTo(503);
                    assertThat(m.isRetryable()).isTrue();
                    assertThat(m.retriesExhausted()).isTrue();
                    assertThat(m).hasMessageContaining("gave up after 2 retries");
                })
                .verify(Duration.ofSeconds(30));
        // The client's three attempts, and no more: the loop's own retries would have tripled them.
        assertThat(server.requests()).hasSize(3);
        assertThat(events).noneMatch(AgentEvent.ModelRetry.class::isInstance);

        // Without retries of the client's own, the loop retries the same failure (1 + 2 attempts).
        int before = server.requests().size();
        StepVerifier.create(agent(server.url()).build().task(INPUT).execute())
                .expectErrorSatisfies(e -> assertThat(((ModelException) e).retriesExhausted()).isFalse())
                .verify(Duration.ofSeconds(30));
        assertThat(server.requests()).hasSize(before + 1 + AT_ONCE.maxRetries());
    }

    @Test
    void cancellingDuringTheBackoffMakesNoFurtherCall() throws InterruptedException {
        var retrying = new CountDownLatch(1);
        // The backoff runs on this virtual clock, the HTTP exchange on real threads.
        VirtualTimeScheduler clock = VirtualTimeScheduler.getOrSet();
        try (var closing = new SocketServer()) {
            closing.otherwise(SocketServer.closeAfter(PARTIAL_STREAM));
            Agent agent = agent(closing.url())
                    .modelRetry(AT_ONCE.withBackoff(Duration.ofHours(1), Duration.ofHours(1)))
                    .listener(e -> {
                        if (e instanceof AgentEvent.ModelRetry) {
                            retrying.countDown();
                        }
                    })
                    .build();
            Disposable running = agent.task(INPUT).execute().subscribe(r -> {}, e -> {});
            assertThat(retrying.await(10, TimeUnit.SECONDS)).as("the step is waiting to retry").isTrue();

            running.dispose();
            clock.advanceTimeBy(Duration.ofHours(2));

            assertThat(events).filteredOn(AgentEvent.ModelRequest.class::isInstance)
                    .as("no call after the cancel")
                    .hasSize(1);
            assertThat(events).last()
                    .isInstanceOfSatisfying(AgentEvent.Failed.class,
                            f -> assertThat(f.partial().outcome()).isEqualTo(Outcome.CANCELLED));
            assertThat(closing.bodies).hasSize(1);
        } finally {
            VirtualTimeScheduler.reset();
        }
    }

    /**
     * A real HTTP/1.1 server on 127.0.0.1, one request per connection, answering each with the next
     * scripted answer: a whole event stream; the start of one and then the connection closed; or the
     * start of one and then a TCP reset (SO_LINGER 0). A reset could overtake the bytes before it, so
     * it waits until the client has read them ({@link #releaseOnPartialText}): the break always falls
     * in the middle of the reply.
     */
    static final class SocketServer implements AutoCloseable {
        /** One answer on one connection. */
        @FunctionalInterface
        interface Answer {
            void write(Socket connection, OutputStream out) throws IOException, InterruptedException;
        }

        final List<String> bodies = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;
        private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        private final Semaphore partialRead = new Semaphore(0);
        private volatile Answer otherwise = whole(DONE);

        SocketServer() {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread.ofVirtual().name("socket-server").start(this::serve);
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        void answer(Answer... next) {
            answers.addAll(List.of(next));
        }

        void otherwise(Answer answer) {
            this.otherwise = answer;
        }

        /** An agent listener: the client has read the start of a broken reply. */
        void releaseOnPartialText(AgentEvent event) {
            if (event instanceof AgentEvent.TextDelta d && d.text().equals(PARTIAL_TEXT)) {
                partialRead.release();
            }
        }

        static Answer whole(String sse) {
            return (connection, out) -> {
                byte[] body = sse.getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            };
        }

        /** The start of a chunked reply, then the connection closes (no last chunk). */
        static Answer closeAfter(String sse) {
            return (connection, out) -> startChunked(out, sse);
        }

        private static void startChunked(OutputStream out, String sse) throws IOException {
            byte[] body = sse.getBytes(StandardCharsets.UTF_8);
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        Answer resetAfter(String sse) {
            return (connection, out) -> {
                startChunked(out, sse);
                if (!partialRead.tryAcquire(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the client never read the start of the reply");
                }
                connection.setSoLinger(true, 0);
            };
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    bodies.add(readRequest(connection.getInputStream()));
                    Answer next = answers.poll();
                    (next != null ? next : otherwise).write(connection, connection.getOutputStream());
                } catch (IOException | InterruptedException | IllegalStateException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            var head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the client closed the connection before the request ended");
                }
                head.append((char) b);
            }
            var length = Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
            if (!length.find()) {
                throw new IOException("the request has no Content-Length");
            }
            return new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
