package dev.agentrt.core.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.ToolException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

class ToolRegistryTest {
    private static ToolExecution policy(Grants grants) {
        return ToolExecution.of("t", Principal.ANONYMOUS, grants);
    }

    private static ToolResult run(ToolRegistry registry, String name, String args, ToolExecution execution) {
        return registry.execute(new ToolCall("c1", name, args), execution).block(Duration.ofSeconds(30));
    }

    @Test
    void runsBlockingToolsOffTheCallersThread() {
        var thread = new AtomicReference<Thread>();
        Tool blocking = Tool.builder("blocking").blockingHandler((args, ctx) -> {
            thread.set(Thread.currentThread());
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ToolResult.text("slept");
        }).build();
        ToolRegistry registry = ToolRegistry.of(blocking);
        // Called from a non-blocking Reactor thread: BlockHound would fail the sleep if it ran there.
        ToolResult r = registry.execute(new ToolCall("1", "blocking", "{}"), policy(Grants.none()))
                .subscribeOn(Schedulers.parallel())
                .block(Duration.ofSeconds(30));
        assertThat(r).isEqualTo(ToolResult.text("slept"));
        assertThat(thread.get().isVirtual()).isTrue();
    }

    @Test
    void answersAtOnceWhenAToolOverflowsItsStackOrMissesAClass() {
        // Reactor rethrows these out of subscribe() as fatal: without containment the call would wait
        // for its timeout (an hour here) and the worker thread would die.
        Tool deep = Tool.builder("deep").blockingHandler((args, ctx) -> ToolResult.text("" + recurse(0))).build();
        Tool linkage = Tool.builder("linkage").blockingHandler((args, ctx) -> {
            throw new NoSuchMethodError("'void tools.jackson.core.base.ParserMinimalBase.<init>()'");
        }).build();
        Tool asyncDeep = Tool.builder("async_deep")
                .handler((args, ctx) -> Mono.fromCallable(() -> ToolResult.text("" + recurse(0))))
                .build();
        ToolRegistry registry = ToolRegistry.of(deep, linkage, asyncDeep);
        var execution = new ToolExecution("t", Principal.ANONYMOUS, Grants.none(), null, Duration.ofHours(1), null,
                ToolAccess.ALL);
        for (String name : List.of("deep", "async_deep")) {
            ToolResult r = registry.execute(new ToolCall("1", name, "{}"), execution).block(Duration.ofMinutes(1));
            assertThat(r.errorKind()).as(name).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
            assertThat(r.content()).as(name).contains("overflowed its stack");
        }
        ToolResult r = registry.execute(new ToolCall("2", "linkage", "{}"), execution).block(Duration.ofMinutes(1));
        assertThat(r.content()).contains("NoSuchMethodError")
                .contains("ParserMinimalBase")
                .contains("not the version the tool was built against");
        // The registry still serves calls afterwards.
        assertThat(registry.execute(new ToolCall("3", "linkage", "{}"), execution)
                .block(Duration.ofMinutes(1))
                .isError()).isTrue();
    }

    @Test
    void checksFileCapabilitiesOffTheCallersThread() {
        Tool reader = Tool.builder("reader")
                .requires(args -> List.of(Capability.fileRead(java.nio.file.Path.of(
                        "/etc/hostname"))))
                .handler((a, c) -> Mono.just(ToolResult.text("read")))
                .build();
        ToolResult r = ToolRegistry.of(reader)
                .execute(new ToolCall("1", "reader", "{}"),
                        policy(Grants.of(Capability.fileRead(java.nio.file.Path.of("/etc")))))
                .subscribeOn(Schedulers.parallel())
                .block(Duration.ofSeconds(30));
        assertThat(r.isError()).isFalse();
    }

    @Test
    void letsAToolCheckCapabilitiesItLearnsWhileRunning() {
        Tool fetch = Tool.builder("fetch")
                .handler((args, ctx) -> ctx.require(Capability.net("redirect.example"))
                        .thenReturn(ToolResult.text("fetched")))
                .build();
        var events = new CopyOnWriteArrayList<AgentEvent>();
        var execution = new ToolExecution("t", Principal.ANONYMOUS, Grants.none(), null, Duration.ofSeconds(1),
                events::add, ToolAccess.ALL);
        ToolResult denied = run(ToolRegistry.of(fetch), "fetch", "{}", execution);
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(denied.content()).contains("net:redirect.example");
        assertThat(events).extracting(e -> e.getClass().getSimpleName())
                .containsExactly("ToolCallRequested", "PermissionDenied", "ToolCallFailed");

        ToolResult allowed = run(ToolRegistry.of(fetch), "fetch", "{}",
                policy(Grants.of(Capability.net("*.example"))));
        assertThat(allowed).isEqualTo(ToolResult.text("fetched"));
    }

    @Test
    void turnsEveryToolFailureIntoAnErrorResult() {
        ToolRegistry registry = ToolRegistry.of(
                Tool.builder("empty").handler((a, c) -> Mono.empty()).build(),
                Tool.builder("tool_error").handler((a, c) -> Mono.error(new ToolException("file is locked"))).build(),
                Tool.builder("recursive").handler((a, c) -> Mono.just(ToolResult.text("" + recurse(0)))).build(),
                Tool.builder("bad_requires").requires(a -> {
                    throw new IllegalArgumentException("path is not valid");
                }).handler((a, c) -> Mono.just(ToolResult.text("x"))).build(),
                Tool.builder("self_error")
                        .handler((a, c) -> Mono.just(ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                                "quota exceeded")))
                        .build());
        ToolExecution p = policy(Grants.none());
        assertThat(run(registry, "empty", "{}", p).content()).contains("returned no result");
        assertThat(run(registry, "tool_error", "{}", p).content())
                .isEqualTo("Tool \"tool_error\" failed: file is locked");
        assertThat(run(registry, "recursive", "{}", p).content()).contains("overflowed its stack");
        assertThat(run(registry, "bad_requires", "{}", p)).satisfies(r -> {
            assertThat(r.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
            assertThat(r.content()).contains("path is not valid");
        });
        assertThat(run(registry, "self_error", "{}", p).content()).isEqualTo("quota exceeded");
    }

    private static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void truncatesHugeResults() {
        Tool flood = Tool.builder("flood").handler((a, c) -> Mono.just(ToolResult.text("x".repeat(300_000)))).build();
        ToolResult r = run(ToolRegistry.of(flood), "flood", "{}", policy(Grants.none()));
        assertThat(r.content()).hasSizeLessThan(ToolRegistry.MAX_RESULT_CHARS + 100)
                .endsWith("[truncated 200000 characters]");
    }

    @Test
    void survivesHostileArguments() {
        ToolRegistry registry = ToolRegistry.of(Tool.builder("t")
                .parameters(JsonValue.parse(
                        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}").asObject())
                .handler((a, c) -> Mono.just(ToolResult.text("ok")))
                .build());
        ToolExecution p = policy(Grants.none());
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThat(run(registry, "t", deep, p).errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(run(registry, "t", "{\"a\":\"x\",\"a\":\"y\"}", p).content()).contains("not valid JSON");
        assertThat(run(registry, "t", "{\"a\":\"x\"} trailing", p).errorKind())
                .isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(run(registry, "t", "", p).errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(run(registry, "t", "{\"a\":1e999999999}", p).errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(run(registry, "t", "{\"a\":\"\\ud800\"}", p).errorKind()).isNull();
        assertThat(run(registry, "x".repeat(10_000), "{}", p).content()).hasSizeLessThan(300);
    }

    @Test
    void rejectsDuplicateNamesAndInvalidSchemasWhenBuilt() {
        Tool a = Tool.builder("same").handler((x, c) -> Mono.empty()).build();
        assertThatThrownBy(() -> ToolRegistry.of(a, a)).hasMessageContaining("same");
        assertThatThrownBy(() -> ToolRegistry.of(Tool.builder("bad")
                .parameters(JsonValue.parse(
                        "{\"type\":\"blob\"}").asObject())
                .handler((x, c) -> Mono.empty())
                .build()))
                .hasMessageContaining("bad")
                .hasMessageContaining("schema");
        assertThatThrownBy(() -> Tool.builder("has space").handler((x, c) -> Mono.empty()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has space");
    }

    @Test
    void executeIsColdAndNeverErrors() {
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        Tool t = Tool.builder("t").handler((a, c) -> {
            calls.incrementAndGet();
            throw new RuntimeException();
        }).build();
        Mono<ToolResult> mono = ToolRegistry.of(t).execute(new ToolCall("1", "t", "{}"), policy(Grants.none()));
        assertThat(calls).hasValue(0);
        StepVerifier.create(mono)
                .assertNext(r -> assertThat(r.content()).contains("RuntimeException"))
                .verifyComplete();
    }

    @Test
    void progressReportsBecomeEventsOnlyWhileTheyGrowAndUpToTheCap() {
        Tool chatty = Tool.builder("chatty").blockingHandler((args, ctx) -> {
            ctx.progress(1, 10.0, "one");
            ctx.progress(1, 10.0, "one again");
            ctx.progress(0.5, 10.0, "backwards");
            ctx.progress(Double.NaN, null, "not a number");
            ctx.progress(2, Double.POSITIVE_INFINITY, "infinite total");
            ctx.progress(2, null, "x".repeat(5000));
            for (int i = 3; i < 5000; i++) {
                ctx.progress(i, null, null);
            }
            return ToolResult.text("done");
        }).build();
        var events = new CopyOnWriteArrayList<AgentEvent.ToolProgress>();
        ToolExecution policy = ToolExecution.builder("t1", Principal.ANONYMOUS, Grants.none())
                .events(e -> {
                    if (e instanceof AgentEvent.ToolProgress p) {
                        events.add(p);
                    }
                })
                .build();

        ToolResult r = ToolRegistry.of(chatty)
                .execute(new ToolCall("c1", "chatty", "{}"), policy)
                .block(Duration.ofSeconds(30));

        assertThat(r.content()).isEqualTo("done");
        assertThat(events).hasSize(ToolRegistry.MAX_PROGRESS_REPORTS);
        assertThat(events.get(0)).isEqualTo(new AgentEvent.ToolProgress("t1", 1, new ToolCall("c1", "chatty", "{}"),
                1, 10.0, "one"));
        assertThat(events.get(1).progress()).isEqualTo(2);
        assertThat(events.get(1).message()).hasSize(1001).endsWith("…");
        assertThat(events).extracting(AgentEvent.ToolProgress::progress).isSorted();
    }
}
