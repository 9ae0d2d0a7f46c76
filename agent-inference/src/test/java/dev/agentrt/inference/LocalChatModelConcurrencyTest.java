package dev.agentrt.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.ModelException;
import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatOptions;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.Message;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** One model serving concurrent requests, cancellation between tokens, closing, and the scheduler it runs on. */
class LocalChatModelConcurrencyTest {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path temp;

    static Path dir;

    @BeforeAll
    static void write() {
        dir = TinyChatModels.writeBigram(temp.resolve("tiny"));
    }

    static ChatRequest forever(int maxTokens) {
        return new ChatRequest(List.of(Message.user("forever")), List.of(),
                ChatOptions.DEFAULTS.withMaxTokens(maxTokens));
    }

    @Test
    void oneModelServesManyConcurrentRequestsEachWithItsOwnCache() {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            List<String> prompts = List.of("Say hello.", "count", "dice", "forever");
            List<String> expected = List.of("Hello there!", "one two three four five six seven eight nine ten", "1",
                    "tick tock tick tock tick tock tick tock tick tock tick tock");
            List<List<String>> replies = Flux.range(0, 40)
                    .flatMap(i -> model.call(new ChatRequest(List.of(Message.user(prompts.get(i % 4))), List.of(),
                            ChatOptions.DEFAULTS.withMaxTokens(12)))
                            .map(r -> List.of(String.valueOf(i % 4), r.message().text())), 40)
                    .collectList()
                    .block(TIMEOUT);
            assertThat(replies).hasSize(40)
                    .allSatisfy(r -> assertThat(r.get(1)).isEqualTo(expected.get(Integer.parseInt(r.get(0)))));
            assertThat(model.activeGenerations()).isZero();
            assertThat(model.liveCaches()).as("every reply frees its cache").isZero();
            assertThat(model.generatedTokens()).isEqualTo(10L * (3 + 11 + 2 + 12));
        }
    }

    @Test
    void cancellingStopsGenerationWithinOneToken() throws InterruptedException {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            List<ChatEvent> events = model.stream(forever(100_000)).take(5).collectList().block(TIMEOUT);
            assertThat(events).hasSize(5).allMatch(ChatEvent.TextDelta.class::isInstance);
            awaitIdle(model);
            assertThat(model.generatedTokens()).isBetween(5L, 6L);
            assertThat(model.liveCaches()).as("a cancelled reply frees its cache").isZero();
        }
    }

    @Test
    void aSlowSubscriberHoldsGenerationBack() throws InterruptedException {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            StepVerifier.create(model.stream(forever(100_000)), 2)
                    .expectNextCount(2)
                    .then(() -> {
                        sleep(200);
                        // Nothing asked for more: at most one token beyond the two delivered.
                        assertThat(model.generatedTokens()).isBetween(2L, 3L);
                    })
                    .thenRequest(3)
                    .expectNextCount(3)
                    .thenCancel()
                    .verify(TIMEOUT);
            awaitIdle(model);
            assertThat(model.generatedTokens()).isBetween(5L, 6L);
        }
    }

    @Test
    void nothingRunsBeforeSubscriptionAndTheWorkIsOnTheComputeScheduler() {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            Flux<ChatEvent> stream = model.stream(ChatRequest.of(Message.user("Say hello.")));
            assertThat(model.generatedTokens()).isZero();
            AtomicReference<String> thread = new AtomicReference<>();
            stream.publishOn(Schedulers.immediate())
                    .doOnNext(e -> thread.compareAndSet(null, Thread.currentThread().getName()))
                    .subscribeOn(Schedulers.parallel())
                    .blockLast(TIMEOUT);
            assertThat(thread.get()).startsWith("agentrt-compute");
        }
    }

    @Test
    void closingFailsLaterRequestsAndIsIdempotent() {
        LocalChatModel model = LocalChatModel.builder().modelPath(dir).build();
        model.close();
        model.close();
        StepVerifier.create(model.stream(ChatRequest.of(Message.user("Say hello."))))
                .expectErrorSatisfies(
                        e -> assertThat(e).isInstanceOf(ModelException.class).hasMessageContaining("closed"))
                .verify(TIMEOUT);
        assertThat(model.activeGenerations()).isZero();
    }

    @Test
    void closingDuringAGenerationEndsItWithAnError() {
        LocalChatModel model = LocalChatModel.builder().modelPath(dir).build();
        StepVerifier.create(model.stream(forever(100_000)), 1)
                .expectNextCount(1)
                .then(model::close)
                .thenRequest(Long.MAX_VALUE)
                .expectErrorSatisfies(
                        e -> assertThat(e).isInstanceOf(ModelException.class).hasMessageContaining("closed"))
                .verify(TIMEOUT);
        assertThat(model.activeGenerations()).isZero();
        assertThat(model.liveCaches()).as("a reply ended by closing the model still frees its cache").isZero();
    }

    @Test
    void aPromptLongerThanTheContextFailsTheRequest() {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).build()) {
            String longText = "count ".repeat(5000);
            assertThatThrownBy(() -> model.call(ChatRequest.of(Message.user(longText))).block(TIMEOUT))
                    .isInstanceOf(ModelException.class)
                    .hasMessageContaining("context of 4096");
            ChatResponse ok = model.call(ChatRequest.of(Message.user("Say hello."))).block(TIMEOUT);
            assertThat(ok).isNotNull();
        }
    }

    @Test
    void aTemplateThatRaisesFailsTheRequestNotTheModel() {
        String template = "{% for m in messages %}{% if m.role == 'system' %}"
                + "{{ raise_exception('System role not supported') }}{% endif %}"
                + "<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n";
        Path own = TinyChatModels.writeBigram(temp.resolve("raising"));
        TinyChatModels.writeTokenizerConfig(own, template);
        try (LocalChatModel model = LocalChatModel.builder().modelPath(own).build()) {
            StepVerifier.create(model.stream(ChatRequest.of(Message.system("Be brief."), Message.user("Say hello."))))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining(own.resolve("tokenizer_config.json").toString())
                            .hasMessageContaining("System role not supported"))
                    .verify(TIMEOUT);
            assertThat(model.activeGenerations()).isZero();
            ChatResponse ok = model.call(ChatRequest.of(Message.user("Say hello."))).block(TIMEOUT);
            assertThat(ok).isNotNull();
            assertThat(ok.message().text()).isEqualTo("Hello there!");
        }
    }

    @Test
    void closingInTheCleanUpOfItsOwnReplyNeitherHangsNorFailsTheReply() {
        LocalChatModel model = LocalChatModel.builder().modelPath(dir).build();
        // Mono.using's clean-up runs on the generating thread as the reply completes, inside its last step: a
        // close that waited there for the running steps would wait for itself.
        ChatResponse reply = Mono.using(() -> model, m -> m.call(ChatRequest.of(Message.user("Say hello."))),
                LocalChatModel::close).block(TIMEOUT);
        assertThat(reply).isNotNull();
        assertThat(reply.message().text()).isEqualTo("Hello there!");
        assertThatThrownBy(() -> model.call(ChatRequest.of(Message.user("Say hello."))).block(TIMEOUT))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("is closed");
        assertThat(model.activeGenerations()).isZero();
        assertThat(model.liveCaches()).isZero();
        model.close();
    }

    @Test
    void closingFromASubscribersCallbackEndsTheReplyWithAnErrorAtTheNextToken() {
        LocalChatModel model = LocalChatModel.builder().modelPath(dir).build();
        StepVerifier.create(model.stream(forever(100)).doOnNext(event -> model.close()))
                .expectNextCount(1)
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                        .hasMessageContaining("is closed"))
                .verify(TIMEOUT);
        assertThat(model.generatedTokens()).isEqualTo(1);
        assertThat(model.activeGenerations()).isZero();
        assertThat(model.liveCaches()).isZero();
    }

    // Builder.scheduler: a pool of the application's own, and the subscriber's thread.

    @Test
    void aModelBuiltWithItsOwnSchedulerGeneratesOnItsThreadsAndGivesTheSameReply() {
        Scheduler own = Schedulers.newBoundedElastic(1, 100, "own-inference");
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).scheduler(own).build();
                LocalChatModel shared = LocalChatModel.builder().modelPath(dir).build()) {
            Set<String> threads = new HashSet<>();
            ChatRequest request = forever(9);
            List<ChatEvent> events = model.stream(request)
                    .doOnNext(e -> threads.add(Thread.currentThread().getName()))
                    .collectList()
                    .block(TIMEOUT);
            assertThat(threads).isNotEmpty().allMatch(name -> name.startsWith("own-inference"));
            assertThat(events).isEqualTo(shared.stream(request).collectList().block(TIMEOUT));
            assertThat(model.activeGenerations()).isZero();
            assertThat(model.liveCaches()).isZero();
        } finally {
            own.dispose();
        }
    }

    @Test
    void onTheImmediateSchedulerTheSubscribersThreadGeneratesBeforeSubscribeReturns() {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).scheduler(Schedulers.immediate()).build()) {
            String caller = Thread.currentThread().getName();
            List<String> threads = new CopyOnWriteArrayList<>();
            AtomicReference<ChatResponse> reply = new AtomicReference<>();
            model.call(ChatRequest.of(Message.user("Say hello.")))
                    .doOnNext(r -> threads.add(Thread.currentThread().getName()))
                    .subscribe(reply::set);
            // No block(): the reply is there when subscribe returns.
            assertThat(reply.get()).isNotNull();
            assertThat(reply.get().message().text()).isEqualTo("Hello there!");
            assertThat(threads).containsExactly(caller);
            assertThat(model.activeGenerations()).isZero();
        }
    }

    @Test
    void onTheImmediateSchedulerDemandAndCancellationStillStepTheGeneration() {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).scheduler(Schedulers.immediate()).build()) {
            StepVerifier.create(model.stream(forever(100_000)), 2)
                    .expectNextCount(2)
                    // Without demand nothing runs: the two tokens delivered and at most the one in hand.
                    .then(() -> assertThat(model.generatedTokens()).isBetween(2L, 3L))
                    .thenRequest(3)
                    .expectNextCount(3)
                    .thenCancel()
                    .verify(TIMEOUT);
            assertThat(model.generatedTokens()).isBetween(5L, 6L);
            assertThat(model.activeGenerations()).isZero();
            assertThat(model.liveCaches()).as("a cancelled reply frees its cache").isZero();
        }
    }

    @Test
    void aLongGenerationOnTheSubscribersThreadRunsInOneLoopNotOneNestedCallPerSlice() throws Exception {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).scheduler(Schedulers.immediate()).build()) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            // A small stack: a call nested per slice (one each millisecond) or per request would overflow it.
            Thread small = new Thread(null, () -> {
                try {
                    outcome.set(model.stream(forever(4_000)).limitRate(1).count().block(TIMEOUT));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }, "small-stack", 256 * 1024);
            small.start();
            small.join(TIMEOUT.toMillis());
            assertThat(outcome.get()).as("text deltas, usage and finish").isEqualTo(4_002L);
            assertThat(model.generatedTokens()).isEqualTo(4_000L);
            assertThat(model.activeGenerations()).isZero();
        }
    }

    @Test
    void onTheImmediateSchedulerANonBlockingOrVirtualThreadHandsTheGenerationToTheComputeWorkers() throws Exception {
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).scheduler(Schedulers.immediate()).build()) {
            ChatRequest hello = ChatRequest.of(Message.user("Say hello."));
            List<String> threads = new CopyOnWriteArrayList<>();
            ChatResponse fromEventLoop = model.stream(hello)
                    .doOnNext(e -> threads.add(Thread.currentThread().getName()))
                    .subscribeOn(Schedulers.parallel())
                    .then(model.call(hello).subscribeOn(Schedulers.parallel()))
                    .block(TIMEOUT);
            assertThat(fromEventLoop).isNotNull();
            assertThat(fromEventLoop.message().text()).isEqualTo("Hello there!");
            assertThat(threads).isNotEmpty().allMatch(name -> name.startsWith("agentrt-compute"));

            threads.clear();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread virtual = Thread.ofVirtual().start(() -> {
                try {
                    outcome.set(model.stream(hello)
                            .doOnNext(e -> threads.add(Thread.currentThread().getName()))
                            .collectList()
                            .block(TIMEOUT));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            virtual.join(TIMEOUT.toMillis());
            assertThat(outcome.get()).isInstanceOf(List.class);
            assertThat(threads).isNotEmpty().allMatch(name -> name.startsWith("agentrt-compute"));
            assertThat(model.activeGenerations()).isZero();
            assertThat(model.liveCaches()).isZero();
        }
    }

    @Test
    void aSchedulerThatWasShutDownFailsTheRequestAndHoldsNothing() {
        Scheduler gone = Schedulers.newSingle("gone-inference");
        gone.dispose();
        try (LocalChatModel model = LocalChatModel.builder().modelPath(dir).scheduler(gone).build()) {
            StepVerifier.create(model.stream(forever(5)))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ModelException.class)
                            .hasMessageContaining("could not be scheduled"))
                    .verify(TIMEOUT);
            assertThat(model.generatedTokens()).isZero();
            assertThat(model.activeGenerations()).isZero();
            assertThat(model.liveCaches()).isZero();
        }
    }

    static void awaitIdle(LocalChatModel model) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (model.activeGenerations() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(model.activeGenerations()).isZero();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
