package dev.agentrt.tools.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.scheduler.VirtualTimeScheduler;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link McpTools} over streamable HTTP against a server that tries to exhaust the client: an event or JSON answer
 * over the message limit (refused unread, only its call fails; a notification or a server's request over it is
 * skipped or refused and the call goes on), lines that are not data of any length (skipped,
 * not held), a flood of notifications before an answer (read at the session's pace, nothing lost), a GET stream
 * that ends after every message with {@code retry: 0}, a task whose {@code pollInterval} is 0 or a day, a
 * 2026-07-28 listen acknowledged and ended at once, an {@code input_required} round of many requests. The waits
 * run on a virtual clock the test moves; each test's next call works, and nothing is left running after close.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class McpHttpHostileServerTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int LIMIT = 64 * 1024;
    private static final String TOOLS = """
            [{"name":"work","inputSchema":{"type":"object"}},\
            {"name":"big","inputSchema":{"type":"object"}},\
            {"name":"job","inputSchema":{"type":"object"},"execution":{"taskSupport":"required"}}]""";
    private static final String DONE = "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}";
    private static final String PROGRESS = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
            + "\"params\":{\"progressToken\":\"nobody's\",\"progress\":1}}";

    private final Map<String, HostileHttpServer.Method> toolAnswers = new ConcurrentHashMap<>();
    private final VirtualTimeScheduler clock = VirtualTimeScheduler.create();
    @TempDir
    Path temp;
    private Leaks leaks;

    @BeforeEach
    void watchForLeaks() {
        leaks = new Leaks();
    }

    @AfterEach
    void nothingIsLeftRunning() throws Exception {
        clock.dispose();
        leaks.assertNoThreadsLeft("HttpClient-");
        leaks.assertNoProcessesLeft();
    }

    /** A 2025-11-25 server whose tools answer as {@link #toolAnswers} say ({@code work}: "done"). */
    private HostileHttpServer server() throws IOException {
        toolAnswers.put("work", (m, id, r) -> r.json(200, answer(id, DONE)));
        return new HostileHttpServer(TOOLS).on("tools/call", (message, id, response) -> {
            String name = message.get("params").asObject().getString("name").orElse("");
            toolAnswers.get(name).answer(message, id, response);
        });
    }

    private static String answer(String id, String result) {
        return "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":" + result + "}";
    }

    private McpTools connect(HostileHttpServer server) {
        return McpTools.builder("remote", McpTransportSpec.http(server.url()))
                .callTimeout(WAIT)
                .connectTimeout(WAIT)
                .maxMessageBytes(LIMIT)
                .timers(clock)
                .connect()
                .block(WAIT);
    }

    private static ToolResult call(McpTools tools, String tool) {
        return ToolRegistry.of(tools.tools())
                .execute(new ToolCall("c", tool, "{}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                .block(WAIT);
    }

    /**
     * The virtual time of the next arrival: the clock moves on by {@code step} only while nothing has arrived, so
     * a wait of the client's is passed only by moving the clock, never by waiting; fails once it moved {@code
     * most} without an arrival.
     */
    private long nextArrival(BlockingQueue<Long> arrivals, Duration step, Duration most) throws InterruptedException {
        long moved = 0;
        while (true) {
            Long at = arrivals.poll(5, TimeUnit.MILLISECONDS);
            if (at != null) {
                return at;
            }
            assertThat(moved).as("nothing arrived in %s of virtual time", most).isLessThan(most.toMillis());
            clock.advanceTimeBy(step);
            moved += step.toMillis();
        }
    }

    // ---- message limit

    @Test
    void anEventOverTheMessageLimitFailsOnlyItsCallAndIsNotReadFurther() throws Exception {
        var writing = new CompletableFuture<IOException>();
        try (var server = server(); McpTools tools = connect(server)) {
            toolAnswers.put("big", (m, id, r) -> {
                r.startEvents();
                r.chunk("data: {\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"content\":[{\"type\":\"text\","
                        + "\"text\":\"");
                // An endless event: the client must stop reading it, so writing fails.
                writing.complete(r.writeUntilRefused("x".repeat(LIMIT), 1L << 30, true));
            });

            ToolResult big = call(tools, "big");

            assertThat(big.isError()).isTrue();
            assertThat(big.content()).contains("more than " + LIMIT + " bytes (the limit)")
                    .contains("response stream of tools/call");
            assertThat(writing.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the client stopped reading").isNotNull();
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    @Test
    void aNotificationOverTheMessageLimitIsSkippedAndTheAnswerAfterItArrives() throws Exception {
        try (var server = server(); McpTools tools = connect(server)) {
            toolAnswers.put("big", (m, id, r) -> {
                r.startEvents();
                // The text comes before the message says what it is: the client learns that only by scanning on.
                r.chunk("data: {\"params\":{\"progressToken\":\"nobody's\",\"progress\":1,\"message\":\""
                        + "x".repeat(3 * LIMIT) + "\"},\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n");
                r.chunk("data: " + answer(id, DONE) + "\n\n");
                r.end();
            });

            ToolResult big = call(tools, "big");

            assertThat(big.isError()).as(big.content()).isFalse();
            assertThat(big.content()).isEqualTo("done");
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    @Test
    void aServerRequestOverTheMessageLimitIsAnsweredWithAnErrorAndTheCallGoesOn() throws Exception {
        try (var server = server(); McpTools tools = connect(server)) {
            toolAnswers.put("big", (m, id, r) -> {
                r.startEvents();
                r.chunk("data: {\"jsonrpc\":\"2.0\",\"id\":\"server-1\",\"params\":{\"x\":\""
                        + "x".repeat(3 * LIMIT) + "\"},\"method\":\"sampling/createMessage\"}\n\n");
                server.await(q -> q.body().contains("\"server-1\""), WAIT);
                r.chunk("data: " + answer(id, DONE) + "\n\n");
                r.end();
            });

            ToolResult big = call(tools, "big");

            assertThat(big.content()).isEqualTo("done");
            JsonObject refusal = JsonValue.parse(server.await(q -> q.body().contains("\"server-1\""), WAIT).body())
                    .asObject();
            assertThat(refusal.get("error").asObject().getLong("code")).hasValue(-32600L);
            assertThat(refusal.get("error").asObject().getString("message").orElseThrow())
                    .contains("over the limit");
        }
    }

    @Test
    void aJsonAnswerOverTheMessageLimitIsRefusedUnreadAndTheNextCallWorks() throws Exception {
        var writing = new CompletableFuture<IOException>();
        try (var server = server(); McpTools tools = connect(server)) {
            toolAnswers.put("big", (m, id, r) -> {
                r.head(200, "application/json", 1L << 30);
                writing.complete(r.writeUntilRefused("x".repeat(LIMIT), 1L << 30, false));
            });

            ToolResult big = call(tools, "big");

            assertThat(big.isError()).isTrue();
            assertThat(big.content()).contains("JSON answer of more than " + LIMIT + " bytes (the limit)");
            assertThat(writing.get(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the client stopped reading").isNotNull();
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    @Test
    void commentsAndFieldsOfAnyLengthAreSkippedNotHeldAndTheAnswerAfterThemArrives() throws Exception {
        try (var server = server(); McpTools tools = connect(server)) {
            String mib = "y".repeat(1 << 20);
            toolAnswers.put("big", (m, id, r) -> {
                r.startEvents();
                // Each line is 64 times the message limit: none of it is data, so none of it counts or is kept.
                for (String field : List.of(": ", "id: ", "event: ", "unknown-field-of-a-long-name: ")) {
                    r.chunk(field);
                    for (int i = 0; i < 4; i++) {
                        r.chunk(mib);
                    }
                    r.chunk("\n\n");
                }
                r.chunk("id: 7\ndata: " + answer(id, DONE) + "\n\n");
                r.end();
            });

            assertThat(call(tools, "big").content()).isEqualTo("done");
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    @Test
    void aFloodOfNotificationsBeforeTheAnswerIsReadAtTheSessionsPaceAndTheAnswerArrives() throws Exception {
        try (var server = server(); McpTools tools = connect(server)) {
            toolAnswers.put("big", (m, id, r) -> {
                r.startEvents();
                String event = "data: " + PROGRESS + "\n\n";
                // Far more than the client lets wait to be handed on: it reads them as it hands them on.
                for (int i = 0; i < 200; i++) {
                    r.chunk(event.repeat(100));
                }
                r.chunk("data: " + answer(id, DONE) + "\n\n");
                r.end();
            });

            assertThat(call(tools, "big").content()).isEqualTo("done");
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    @Test
    void theSameLimitAppliesToAStdioServersLines() {
        try (McpTools tools = McpTools.builder("fake", TestServers.fake("noisy"))
                .connectTimeout(WAIT)
                .callTimeout(WAIT)
                .maxMessageBytes(1 << 20)
                .connect()
                .block(WAIT)) {
            ToolResult big = call(tools, "big");

            assertThat(big.isError()).isTrue();
            assertThat(big.content()).contains("over the limit of 1048576 bytes");
            assertThat(call(tools, "ping").content()).isEqualTo("pong");
        }
    }

    // ---- reconnect pacing

    @Test
    void aGetStreamEndedAfterEveryMessageWithRetryZeroIsOpenedAgainOnlyAfterAGrowingWait() throws Exception {
        BlockingQueue<Long> opened = new LinkedBlockingQueue<>();
        try (var server = server()) {
            server.onGet((request, response) -> {
                opened.add(clock.now(TimeUnit.MILLISECONDS));
                response.startEvents();
                response.chunk("retry: 0\ndata: " + PROGRESS + "\n\n");
                response.end();
            });
            McpTools tools = connect(server);
            long previous = opened.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            var waits = new ArrayList<Long>();
            // More reconnects than the client makes in a row without a message: each stream brought one.
            for (int i = 0; i < 7; i++) {
                long at = nextArrival(opened, Duration.ofMillis(50), Duration.ofMinutes(1));
                waits.add(at - previous);
                previous = at;
            }

            // The floor (100 ms), doubled per reconnect: a stream that brought one message resets nothing.
            for (int i = 0; i < waits.size(); i++) {
                assertThat(waits.get(i)).as("wait before reconnect %d of %s", i + 1, waits)
                        .isGreaterThanOrEqualTo(Math.min(100L << i, 30_000));
            }
            assertThat(call(tools, "work").content()).isEqualTo("done");
            tools.close();
            long gets = server.requests().stream().filter(q -> q.method().equals("GET")).count();
            clock.advanceTimeBy(Duration.ofHours(1));
            assertThat(server.requests().stream().filter(q -> q.method().equals("GET")).count())
                    .as("no GET after close")
                    .isEqualTo(gets);
        }
    }

    @Test
    void aResponseStreamEndedAfterEveryEventIsResumedOnlyAfterAGrowingWait() throws Exception {
        BlockingQueue<Long> resumed = new LinkedBlockingQueue<>();
        var callId = new CompletableFuture<String>();
        try (var server = server(); McpTools tools = connect(server)) {
            toolAnswers.put("big", (m, id, r) -> {
                callId.complete(id);
                r.startEvents();
                r.chunk("id: 1\nretry: 0\ndata: " + PROGRESS + "\n\n");
                r.end();
            });
            server.onGet((request, response) -> {
                String last = request.header("Last-Event-ID");
                if (last == null) {
                    response.send(405, null, "", "Allow", "POST");
                    return;
                }
                resumed.add(clock.now(TimeUnit.MILLISECONDS));
                int n = Integer.parseInt(last);
                // One event per resumption, the answer in the sixth.
                String data = n < 6 ? PROGRESS : answer(callId.getNow("null"), DONE);
                response.startEvents();
                response.chunk("id: " + (n + 1) + "\ndata: " + data + "\n\n");
                response.end();
            });
            CompletableFuture<ToolResult> big = ToolRegistry.of(tools.tools())
                    .execute(new ToolCall("c", "big", "{}"),
                            ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                    .toFuture();
            long previous = resumed.poll(WAIT.toSeconds(), TimeUnit.SECONDS); // the first resumption: at once
            var waits = new ArrayList<Long>();
            for (int i = 0; i < 5; i++) {
                long at = nextArrival(resumed, Duration.ofMillis(50), Duration.ofMinutes(1));
                waits.add(at - previous);
                previous = at;
            }

            for (int i = 0; i < waits.size(); i++) {
                assertThat(waits.get(i)).as("wait before resumption %d of %s", i + 2, waits)
                        .isGreaterThanOrEqualTo(100L << i);
            }
            assertThat(big.get(WAIT.toSeconds(), TimeUnit.SECONDS).content()).isEqualTo("done");
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    @Test
    void aToolListingThatRepeatsItsCursorIsFollowedOnlyUntilTheRepeat() throws Exception {
        try (var server = modernServer(new LinkedBlockingQueue<>())) {
            server.on("tools/list", (m, id, r) -> r.json(200, answer(id, """
                    {"tools":[{"name":"work","inputSchema":{"type":"object"}}],"nextCursor":"again",\
                    "resultType":"complete"}""")));
            try (McpTools tools = connect(server)) {
                assertThat(tools.tools()).extracting(t -> t.spec().name()).containsExactly("work");
                assertThat(server.count("tools/list")).as("the first page and the repeated one").isEqualTo(2);
                assertThat(call(tools, "work").content()).isEqualTo("done");
            }
        }
    }

    @Test
    void aListenAcknowledgedAndEndedAtOnceIsOpenedAgainOnlyAfterAGrowingWait() throws Exception {
        BlockingQueue<Long> listens = new LinkedBlockingQueue<>();
        try (var server = modernServer(listens); McpTools tools = connect(server)) {
            assertThat(tools.protocolVersion()).isEqualTo("2026-07-28");
            long previous = listens.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            var waits = new ArrayList<Long>();
            for (int i = 0; i < 6; i++) {
                long at = nextArrival(listens, Duration.ofMillis(50), Duration.ofMinutes(1));
                waits.add(at - previous);
                previous = at;
            }

            // 200 ms doubled per listen up to 10 s: an acknowledgement alone does not start the backoff over.
            for (int i = 0; i < waits.size(); i++) {
                assertThat(waits.get(i)).as("wait before listen %d of %s", i + 2, waits)
                        .isGreaterThanOrEqualTo(Math.min(200L << i, 10_000));
            }
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    /** A 2026-07-28 server that acknowledges each subscriptions/listen and ends its stream at once. */
    private HostileHttpServer modernServer(BlockingQueue<Long> listens) throws IOException {
        return new HostileHttpServer(TOOLS).on("server/discover", (m, id, r) -> r.json(200, answer(id, """
                {"supportedVersions":["2026-07-28"],"capabilities":{"tools":{"listChanged":true}},\
                "serverInfo":{"name":"hostile","version":"1"},"resultType":"complete"}""")))
                .on("tools/list", (m, id, r) -> r.json(200, answer(id, """
                        {"tools":[{"name":"work","inputSchema":{"type":"object"}},\
                        {"name":"asks","inputSchema":{"type":"object"}}],"resultType":"complete"}""")))
                .on("tools/call", (m, id, r) -> {
                    if (m.get("params").asObject().getString("name").orElse("").equals("work")) {
                        r.json(200, answer(id, """
                                {"content":[{"type":"text","text":"done"}],"resultType":"complete"}"""));
                        return;
                    }
                    // More input requests in one round than a client answers: 17 roots/list.
                    var asked = new StringBuilder();
                    for (int i = 0; i < 17; i++) {
                        asked.append(i == 0 ? "" : ",")
                                .append("\"r")
                                .append(i)
                                .append("\":{\"method\":\"roots/list\"}");
                    }
                    r.json(200, answer(id, "{\"resultType\":\"input_required\",\"inputRequests\":{" + asked + "}}"));
                })
                .on("subscriptions/listen", (m, id, r) -> {
                    listens.add(clock.now(TimeUnit.MILLISECONDS));
                    r.startEvents();
                    r.chunk("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/subscriptions/acknowledged\","
                            + "\"params\":{\"_meta\":{\"io.modelcontextprotocol/subscriptionId\":" + id + "},"
                            + "\"notifications\":{\"toolsListChanged\":true}}}\n\n");
                    r.end();
                });
    }

    // ---- tasks

    @Test
    void aTaskPolledWithPollIntervalZeroIsPolledNoMoreOftenThanTheFloor() throws Exception {
        BlockingQueue<Long> polls = new LinkedBlockingQueue<>();
        try (var server = taskServer(polls, 0, 6); McpTools tools = connect(server)) {
            CompletableFuture<ToolResult> job = ToolRegistry.of(tools.tools())
                    .execute(new ToolCall("c", "job", "{}"),
                            ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                    .toFuture();
            long previous = clock.now(TimeUnit.MILLISECONDS);
            for (int i = 0; i < 6; i++) {
                long at = nextArrival(polls, Duration.ofMillis(10), Duration.ofMinutes(1));
                assertThat(at - previous).as("wait before poll %d", i + 1).isGreaterThanOrEqualTo(100);
                previous = at;
            }

            assertThat(job.get(WAIT.toSeconds(), TimeUnit.SECONDS).content()).isEqualTo("job done");
            assertThat(server.count("tasks/get")).isEqualTo(6);
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    @Test
    void aTaskWhosePollIntervalIsADayIsPolledAtTheCeiling() throws Exception {
        BlockingQueue<Long> polls = new LinkedBlockingQueue<>();
        try (var server = taskServer(polls, 86_400_000, 2); McpTools tools = connect(server)) {
            CompletableFuture<ToolResult> job = ToolRegistry.of(tools.tools())
                    .execute(new ToolCall("c", "job", "{}"),
                            ToolExecution.of("t", Principal.ANONYMOUS, Grants.of(tools.capability())))
                    .toFuture();
            // The clock moves a second at a time: a day's wait would not pass in an hour of it.
            for (int i = 0; i < 2; i++) {
                nextArrival(polls, Duration.ofSeconds(1), Duration.ofHours(1));
            }

            assertThat(job.get(WAIT.toSeconds(), TimeUnit.SECONDS).content()).isEqualTo("job done");
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    /** Tool {@code job} runs as a task, working with {@code pollInterval} for {@code working} polls, then done. */
    private HostileHttpServer taskServer(BlockingQueue<Long> polls, long pollInterval, int working)
            throws IOException {
        HostileHttpServer server = server();
        String task = "{\"taskId\":\"t1\",\"status\":\"%s\",\"pollInterval\":" + pollInterval + "}";
        toolAnswers.put("job", (m, id, r) -> r.json(200, answer(id, "{\"task\":" + task.formatted("working") + "}")));
        var asked = new java.util.concurrent.atomic.AtomicInteger();
        return server.on("tasks/get", (m, id, r) -> {
            polls.add(clock.now(TimeUnit.MILLISECONDS));
            r.json(200, answer(id, task.formatted(asked.incrementAndGet() < working ? "working" : "completed")));
        })
                .on("tasks/result", (m, id, r) -> r.json(200, answer(id,
                        "{\"content\":[{\"type\":\"text\",\"text\":\"job done\"}]}")));
    }

    // ---- input_required

    @Test
    void anInputRequiredRoundOfTooManyRequestsFailsItsCallUnansweredAndTheNextCallWorks() throws Exception {
        BlockingQueue<Long> listens = new LinkedBlockingQueue<>();
        try (var server = modernServer(listens);
                McpTools tools = McpTools.builder("remote", McpTransportSpec.http(server.url()))
                        .callTimeout(WAIT)
                        .connectTimeout(WAIT)
                        .roots(temp)
                        .timers(clock)
                        .connect()
                        .block(WAIT)) {
            ToolResult asks = call(tools, "asks");

            assertThat(asks.isError()).isTrue();
            assertThat(asks.content()).contains("embedded 17 input requests in one input_required round of tools/call")
                    .contains("more than the 16");
            assertThat(server.count("tools/call")).as("no round answered").isEqualTo(1);
            assertThat(call(tools, "work").content()).isEqualTo("done");
        }
    }

    // ---- server requests

    @Test
    void elicitationsBeyondTheFewOpenAtOnceAreRefusedAndTheOpenOnesAreAnswered() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        var answers = reactor.core.publisher.Sinks.empty();
        var asked = new java.util.concurrent.atomic.AtomicInteger();
        try (var server = server()) {
            server.onGet((request, response) -> {
                response.startEvents();
                var requests = new StringBuilder();
                for (int i = 1; i <= 6; i++) {
                    requests.append("data: {\"jsonrpc\":\"2.0\",\"id\":\"e")
                            .append(i)
                            .append("\",\"method\":\"elicitation/create\",\"params\":{\"message\":\"name?\",")
                            .append("\"requestedSchema\":{\"type\":\"object\",\"properties\":{}}}}\n\n");
                }
                response.chunk(requests.toString());
                release.await(); // held open until the test ends
            });
            try (McpTools tools = McpTools.builder("remote", McpTransportSpec.http(server.url()))
                    .callTimeout(WAIT)
                    .connectTimeout(WAIT)
                    .timers(clock)
                    .elicitation(request -> {
                        asked.incrementAndGet();
                        return answers.asMono().then(Mono.just(McpElicitationAnswer.decline()));
                    })
                    .connect()
                    .block(WAIT)) {
                var refused = List.of(posted(server, "e5", WAIT), posted(server, "e6", WAIT));
                assertThat(refused).allSatisfy(body -> assertThat(body).contains("\"error\"")
                        .contains("elicitation refused: 4 of this server's elicitations already wait for the user"));
                assertThat(asked).hasValue(4);

                answers.tryEmitEmpty();
                for (String id : List.of("e1", "e2", "e3", "e4")) {
                    assertThat(posted(server, id, WAIT)).contains("\"action\":\"decline\"");
                }
                assertThat(call(tools, "work").content()).isEqualTo("done");
            } finally {
                release.countDown();
            }
        }
    }

    /** The body the client posted in answer to the server's request {@code id}, once it came. */
    private static String posted(HostileHttpServer server, String id, Duration guard) throws InterruptedException {
        return server.await(r -> r.body().contains("\"id\":\"" + id + "\""), guard).body();
    }
}
