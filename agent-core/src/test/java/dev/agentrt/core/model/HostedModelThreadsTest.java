package dev.agentrt.core.model;

import static dev.agentrt.core.testing.FakeHttpServer.Responder.json;
import static dev.agentrt.core.testing.FakeHttpServer.Responder.sse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.internal.ReplyAssembler;
import dev.agentrt.core.model.anthropic.AnthropicChatModel;
import dev.agentrt.core.model.ollama.OllamaChatModel;
import dev.agentrt.core.model.openai.OpenAiChatModel;
import dev.agentrt.core.testing.FakeHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * What threads the hosted clients use: a bounded set for HTTP, shared by every model built without
 * a client of its own; none of them running the subscriber's code; and none of the request's
 * building done on the thread that subscribes.
 */
class HostedModelThreadsTest {
    static final String FIRST = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n";
    static final String REST = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\", world\"}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n";
    static final Pattern JDK_WORKER = Pattern.compile("HttpClient-\\d+-Worker-\\d+");
    static final Pattern JDK_SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");
    /** The most threads the hosted clients' shared HTTP executor may run. */
    static final int BOUND = Math.max(2, Runtime.getRuntime().availableProcessors());

    final FakeHttpServer server = FakeHttpServer.start();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    OpenAiChatModel.Builder openAi() {
        return OpenAiChatModel.builder()
                .model("gpt-4.1-mini")
                .baseUrl(server.url() + "/v1")
                .environment(name -> null)
                .inactivityTimeout(Duration.ofSeconds(60));
    }

    /** Sends the reply's first event, then holds the stream open until the test releases it. */
    FakeHttpServer.Responder heldOpen() {
        return exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(FIRST.getBytes(StandardCharsets.UTF_8));
            out.flush();
            release.await();
            out.write(REST.getBytes(StandardCharsets.UTF_8));
            out.close();
        };
    }

    static ChatRequest ask(String text) {
        return ChatRequest.of(Message.user(text));
    }

    static Set<Long> liveThreadIds() {
        var ids = new HashSet<Long>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            ids.add(t.threadId());
        }
        return ids;
    }

    static List<String> threadsNamed(Pattern name, Set<Long> except) {
        var names = new ArrayList<String>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!except.contains(t.threadId()) && name.matcher(t.getName()).matches()) {
                names.add(t.getName());
            }
        }
        return names;
    }

    @Test
    void twoHundredStreamsInFlightUseNoMoreHttpThreadsThanTheBound() throws Exception {
        server.otherwise(r -> heldOpen());
        OpenAiChatModel model = openAi().build();
        Set<Long> before = liveThreadIds();
        int streams = 200;
        var started = new CountDownLatch(streams);

        CompletableFuture<List<ChatResponse>> replies = Flux.range(0, streams)
                .flatMap(i -> Mono.fromCallable(ReplyAssembler::new)
                        .flatMap(assembler -> model.stream(ask("Hi " + i)).doOnNext(event -> {
                            if (event instanceof ChatEvent.TextDelta) {
                                started.countDown();
                            }
                            assembler.accept(event);
                        }).then(Mono.fromCallable(assembler::finish))), streams)
                .collectList()
                .toFuture();

        assertThat(started.await(60, TimeUnit.SECONDS)).as("every stream got its first event").isTrue();
        assertThat(server.requests()).hasSize(streams);
        assertThat(threadsNamed(Pattern.compile("agentrt-http-\\d+"), Set.of()))
                .as("the hosted clients' HTTP threads with %d streams in flight", streams)
                .hasSizeBetween(1, BOUND);
        assertThat(threadsNamed(JDK_WORKER, before)).as("JDK HttpClient worker threads started meanwhile").isEmpty();

        release.countDown();
        assertThat(replies.get(60, TimeUnit.SECONDS)).hasSize(streams)
                .allSatisfy(r -> assertThat(r.message().text()).isEqualTo("Hello, world"));
        assertThat(threadsNamed(Pattern.compile("agentrt-http-\\d+"), Set.of())).hasSizeLessThanOrEqualTo(BOUND);
    }

    @Test
    void modelsBuiltWithoutAClientShareOneHttpClient() {
        server.otherwise(r -> r.path().startsWith("/api/chat")
                ? json(200, "{\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"done\":true}")
                : r.path().startsWith("/v1/messages")
                        ? json(200, "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}],\"stop_reason\":\"end_turn\"}")
                        : json(200,
                                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                                        + "\"finish_reason\":\"stop\"}]}"));
        Set<Long> before = liveThreadIds();

        var models = new ArrayList<ChatModel>();
        for (int i = 0; i < 10; i++) {
            models.add(openAi().build());
            models.add(AnthropicChatModel.builder()
                    .model("claude-sonnet-4-5")
                    .baseUrl(server.url())
                    .environment(name -> null)
                    .build());
            models.add(OllamaChatModel.builder()
                    .model("qwen3:4b")
                    .baseUrl(server.url())
                    .environment(name -> null)
                    .build());
        }
        for (ChatModel m : models) {
            assertThat(m.call(ask("Hi")).block(Duration.ofSeconds(30))).extracting(r -> r.message().text())
                    .isEqualTo("ok");
        }

        assertThat(threadsNamed(JDK_SELECTOR, before)).as("HttpClient selector threads started by 30 models")
                .hasSizeLessThanOrEqualTo(1);
        assertThat(threadsNamed(JDK_WORKER, before)).isEmpty();
    }

    @Test
    void theSubscribersCodeNeverRunsOnTheHttpThreads() {
        // The stream's rest is sent once the subscriber saw its first event: it comes off the network
        // on the HTTP client's threads, not in the response the subscription started with.
        server.enqueue(heldOpen(), json(200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}"),
                json(400, "{\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}"));
        OpenAiChatModel model = openAi().build();
        var threads = new CopyOnWriteArrayList<String>();

        model.stream(ask("Hi")).doOnNext(event -> {
            threads.add(Thread.currentThread().getName());
            release.countDown();
        }).doOnComplete(() -> threads.add(Thread.currentThread().getName())).blockLast(Duration.ofSeconds(30));
        model.call(ask("Hi"))
                .doOnNext(r -> threads.add(Thread.currentThread().getName()))
                .block(Duration.ofSeconds(30));
        model.stream(ask("Hi"))
                .doOnError(e -> threads.add(Thread.currentThread().getName()))
                .onErrorResume(e -> Flux.empty())
                .blockLast(Duration.ofSeconds(30));

        assertThat(threads).hasSize(6)
                .noneMatch(name -> name.startsWith("agentrt-http-") || name.startsWith("HttpClient-")
                        || name.startsWith("ForkJoinPool.commonPool"));
    }

    @Test
    void aClientOfTheUsersOwnIsUsedAndItsThreadsNeverRunTheSubscriber() throws Exception {
        server.enqueue(heldOpen());
        var next = new AtomicInteger();
        var ran = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, task -> {
            Thread t = new Thread(task, "user-http-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        try (HttpClient client = HttpClient.newBuilder().executor(task -> {
            ran.incrementAndGet();
            executor.execute(task);
        }).build()) {
            OpenAiChatModel model = openAi().httpClient(client).build();
            var threads = new CopyOnWriteArrayList<String>();

            String text = model.stream(ask("Hi"))
                    .doOnNext(event -> {
                        threads.add(Thread.currentThread().getName());
                        release.countDown();
                    })
                    .ofType(ChatEvent.TextDelta.class)
                    .map(ChatEvent.TextDelta::text)
                    .reduce(String::concat)
                    .block(Duration.ofSeconds(30));

            assertThat(text).isEqualTo("Hello, world");
            assertThat(ran).as("tasks the user's executor ran").hasPositiveValue();
            assertThat(threads).isNotEmpty().noneMatch(name -> name.startsWith("user-http-"));
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void subscribingLeavesBuildingAndSendingTheRequestToAnotherThread() throws Exception {
        server.otherwise(r -> r.body().contains("\"stream\":true")
                ? sse(FIRST + REST)
                : json(200, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                        + "\"finish_reason\":\"stop\"}]}"));
        OpenAiChatModel model = openAi().build();
        // Warm up both paths, so that loading classes does not count.
        model.stream(ask("warm")).blockLast(Duration.ofSeconds(30));
        model.call(ask("warm")).block(Duration.ofSeconds(30));
        // A request whose JSON body alone is 8 MiB: serialising it allocates at least that much.
        ChatRequest big = ask("x".repeat(8 * 1024 * 1024));
        var allocation = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long me = Thread.currentThread().threadId();
        var streamed = new CompletableFuture<Void>();
        var called = new CompletableFuture<ChatResponse>();

        long before = allocation.getThreadAllocatedBytes(me);
        model.stream(big).subscribe(event -> {}, streamed::completeExceptionally, () -> streamed.complete(null));
        model.call(big).subscribe(called::complete, called::completeExceptionally);
        long allocated = allocation.getThreadAllocatedBytes(me) - before;

        streamed.get(30, TimeUnit.SECONDS);
        assertThat(called.get(30, TimeUnit.SECONDS).message().text()).isEqualTo("ok");
        assertThat(server.requests()).hasSize(4)
                .allSatisfy(r -> assertThat(r.body()).startsWith("{\"model\":\"gpt-4.1-mini\""))
                .filteredOn(r -> r.body().length() > 8 * 1024 * 1024)
                .hasSize(2);
        assertThat(allocated).as("bytes the subscribing thread allocated for two 8 MiB requests")
                .isLessThan(1024 * 1024);
    }
}
