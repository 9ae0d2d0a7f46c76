package dev.agentrt.inference;

import static dev.agentrt.inference.LocalChatModelConcurrencyTest.TIMEOUT;
import static dev.agentrt.inference.LocalChatModelConcurrencyTest.forever;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.model.ChatEvent;
import dev.agentrt.core.model.ChatRequest;
import dev.agentrt.core.model.ChatResponse;
import dev.agentrt.core.model.Message;
import dev.agentrt.inference.testing.TinyChatModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/** {@link LocalChatModel.Builder#scheduler}: a pool of the application's own, and the subscriber's thread. */
class LocalChatModelSchedulerTest {
    @TempDir
    static Path temp;

    static Path dir;

    @BeforeAll
    static void write() {
        dir = TinyChatModels.writeBigram(temp.resolve("tiny"));
    }

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
}
