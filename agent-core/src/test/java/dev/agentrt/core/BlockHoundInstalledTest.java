package dev.agentrt.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;

/** The suite's guard against blocking calls on non-blocking threads is really installed. */
class BlockHoundInstalledTest {
    @Test
    void blockingOnANonBlockingThreadIsAnError() {
        StepVerifier.create(Mono.fromCallable(() -> {
            Thread.sleep(1);
            return "slept";
        }).subscribeOn(Schedulers.parallel()))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("Blocking call"))
                .verify(Duration.ofSeconds(30));
    }

    @Test
    void blockingOnTheRuntimesBlockingSchedulerIsAllowed() {
        StepVerifier.create(Mono.fromCallable(() -> {
            Thread.sleep(1);
            return "slept";
        }).subscribeOn(AgentSchedulers.blocking()))
                .expectNext("slept")
                .verifyComplete();
    }
}
