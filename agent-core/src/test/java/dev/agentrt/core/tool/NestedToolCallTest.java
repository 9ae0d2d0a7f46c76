package dev.agentrt.core.tool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.ToolSpec;
import dev.agentrt.core.security.ApprovalRequest;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/** A running tool calls the task's other tools through {@link ToolContext#callTool}: the registry's full path. */
class NestedToolCallTest {
    private static final Path SECRET = Path.of("/secret/file.txt");

    private static final Tool ADD = Tool.builder("add")
            .parameters(JsonValue.parse("""
                    {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},
                     "required":["a","b"]}""").asObject())
            .handler((args, ctx) -> Mono.just(ToolResult.text(String.valueOf(args.getLong("a").orElseThrow()
                    + args.getLong("b").orElseThrow()))))
            .build();

    private static final Tool READ_SECRET = Tool.builder("read_secret")
            .requires(Capability.fileRead(SECRET))
            .handler((args, ctx) -> Mono.just(ToolResult.text("the secret")))
            .build();

    /** A tool whose handler is the test's: it calls other tools through its context. */
    private static Tool host(BiFunction<JsonObject, ToolContext, Mono<ToolResult>> handler) {
        return Tool.builder("host").handler(handler).build();
    }

    private static JsonObject args(String json) {
        return JsonValue.parse(json).asObject();
    }

    private static ToolResult run(ToolRegistry registry, ToolExecution policy) {
        return registry.execute(new ToolCall("c1", "host", "{}"), policy).block(Duration.ofSeconds(30));
    }

    @Test
    void aToolCallsTwoToolsAndTheEventsShowTheNesting() {
        var events = new CopyOnWriteArrayList<AgentEvent>();
        var seen = new AtomicReference<List<ToolSpec>>();
        Tool host = host((a, ctx) -> {
            seen.set(ctx.tools());
            return ctx.callTool("add", args("{\"a\":1,\"b\":2}"))
                    .zipWith(ctx.callTool("add", args("{\"a\":10,\"b\":20}")))
                    .map(t -> ToolResult.text(t.getT1().content() + "+" + t.getT2().content()));
        });
        ToolRegistry registry = ToolRegistry.of(host, ADD);

        ToolResult r = run(registry, ToolExecution.builder("t", Principal.ANONYMOUS, Grants.none())
                .events(events::add)
                .build());

        assertThat(r).isEqualTo(ToolResult.text("3+30"));
        assertThat(seen.get()).extracting(ToolSpec::name).containsExactly("add");
        List<AgentEvent.ToolCallRequested> requested = events.stream()
                .filter(AgentEvent.ToolCallRequested.class::isInstance)
                .map(AgentEvent.ToolCallRequested.class::cast)
                .toList();
        assertThat(requested).extracting(e -> e.call().id()).containsExactly("c1", "c1/1", "c1/2");
        assertThat(requested).extracting(AgentEvent.ToolCallRequested::parentCallId).containsExactly(null, "c1", "c1");
        assertThat(requested.get(1).call().arguments()).isEqualTo("{\"a\":1,\"b\":2}");
        assertThat(events).filteredOn(AgentEvent.ToolCallCompleted.class::isInstance)
                .extracting(e -> ((AgentEvent.ToolCallCompleted) e).call().id())
                .containsExactly("c1/1", "c1/2", "c1");
    }

    @Test
    void aNestedCallIsValidatedAgainstTheToolsSchemaAndAnUnknownToolIsNamed() {
        var results = new CopyOnWriteArrayList<ToolResult>();
        Tool host = host((a, ctx) -> ctx.callTool("add", args("{\"a\":\"one\",\"b\":2}"))
                .doOnNext(results::add)
                .then(ctx.callTool("nope", args("{}")))
                .doOnNext(results::add)
                .thenReturn(ToolResult.text("done")));
        ToolRegistry registry = ToolRegistry.of(host, ADD);

        assertThat(run(registry, ToolExecution.of("t", Principal.ANONYMOUS, Grants.none())))
                .isEqualTo(ToolResult.text("done"));

        assertThat(results.get(0).errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(results.get(0).content()).contains("Invalid arguments for tool \"add\"").contains("a");
        assertThat(results.get(1).errorKind()).isEqualTo(ToolErrorKind.UNKNOWN_TOOL);
        assertThat(results.get(1).content()).isEqualTo("Unknown tool \"nope\". Available tools: add.");
    }

    @Test
    void aNestedCallNeedsTheSameGrantsAndADenialIsAnEvent() {
        var events = new CopyOnWriteArrayList<AgentEvent>();
        var nested = new AtomicReference<ToolResult>();
        Tool host = host((a, ctx) -> ctx.callTool("read_secret", args("{}"))
                .doOnNext(nested::set)
                .thenReturn(ToolResult.text("went on")));
        ToolRegistry registry = ToolRegistry.of(host, READ_SECRET);

        ToolResult r = run(registry, ToolExecution.builder("t", Principal.ANONYMOUS, Grants.none())
                .events(events::add)
                .build());

        assertThat(r).isEqualTo(ToolResult.text("went on"));
        assertThat(nested.get().errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(nested.get().content()).startsWith("Permission denied: tool \"read_secret\" needs")
                .contains("not granted to this agent");
        assertThat(events).filteredOn(AgentEvent.PermissionDenied.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((AgentEvent.PermissionDenied) e).call().id()).isEqualTo("c1/1"));
    }

    @Test
    void theApprovalHandlerDecidesOnANestedCallAndWhatItGrantsForTheTaskLastsForTheTask() {
        var asked = new CopyOnWriteArrayList<ApprovalRequest>();
        var results = new CopyOnWriteArrayList<ToolResult>();
        Tool host = host((a, ctx) -> ctx.callTool("read_secret", args("{}"))
                .doOnNext(results::add)
                .then(ctx.callTool("read_secret", args("{}")))
                .doOnNext(results::add)
                .then(ctx.require(Capability.fileRead(SECRET)))
                .thenReturn(ToolResult.text("ok")));
        ToolRegistry registry = ToolRegistry.of(host, READ_SECRET);
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.none()).approvals(request -> {
            asked.add(request);
            return Mono.just(Decision.approveForTask());
        }).build();

        assertThat(run(registry, policy)).isEqualTo(ToolResult.text("ok"));

        assertThat(results).containsExactly(ToolResult.text("the secret"), ToolResult.text("the secret"));
        assertThat(asked).singleElement().satisfies(q -> {
            assertThat(q.callId()).isEqualTo("c1/1");
            assertThat(q.toolName()).isEqualTo("read_secret");
        });
    }

    @Test
    void aDeferredApprovalDeniesANestedCallSinceTheToolWaitsForItsResult() {
        var nested = new AtomicReference<ToolResult>();
        Tool host = host((a, ctx) -> ctx.callTool("read_secret", args("{}"))
                .doOnNext(nested::set)
                .thenReturn(ToolResult.text("ok")));
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.none())
                .approvals(request -> Mono.just(Decision.defer("ask the owner")))
                .build();

        assertThat(run(ToolRegistry.of(host, READ_SECRET), policy)).isEqualTo(ToolResult.text("ok"));

        assertThat(nested.get().errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(nested.get().content()).contains("a call made by a tool cannot wait for one");
    }

    @Test
    void callsPastTheCapFailWithoutRunningAndAreStillEvents() {
        var events = new CopyOnWriteArrayList<AgentEvent>();
        var results = new CopyOnWriteArrayList<ToolResult>();
        Tool host = host((a, ctx) -> Mono.defer(() -> {
            Mono<ToolResult> chain = Mono.empty();
            for (int i = 0; i < 3; i++) {
                chain = chain.then(ctx.callTool("add", args("{\"a\":1,\"b\":1}")).doOnNext(results::add));
            }
            return chain.thenReturn(ToolResult.text("done"));
        }));
        var policy = ToolExecution.builder("t", Principal.ANONYMOUS, Grants.none())
                .maxNestedCalls(2)
                .events(events::add)
                .build();

        assertThat(run(ToolRegistry.of(host, ADD), policy)).isEqualTo(ToolResult.text("done"));

        assertThat(results).hasSize(3);
        assertThat(results.subList(0, 2)).containsOnly(ToolResult.text("2"));
        assertThat(results.get(2).errorKind()).isEqualTo(ToolErrorKind.EXECUTION_FAILED);
        assertThat(results.get(2).content()).isEqualTo("Not run: the limit of 2 tool calls per call of \"host\" is "
                + "reached. Do the rest in another step, with fewer calls.");
        assertThat(events).filteredOn(AgentEvent.ToolCallFailed.class::isInstance)
                .singleElement()
                .satisfies(e -> assertThat(((AgentEvent.ToolCallFailed) e).call().id()).isEqualTo("c1/3"));
    }

    @Test
    void aToolCannotCallItselfAndACalledToolCannotCallFurther() {
        var results = new CopyOnWriteArrayList<ToolResult>();
        var innerTools = new AtomicReference<List<ToolSpec>>();
        Tool inner = Tool.builder("inner").handler((a, ctx) -> {
            innerTools.set(ctx.tools());
            return ctx.callTool("add", args("{\"a\":1,\"b\":1}"));
        }).build();
        Tool host = host((a, ctx) -> ctx.callTool("host", args("{}"))
                .doOnNext(results::add)
                .then(ctx.callTool("inner", args("{}")))
                .doOnNext(results::add)
                .thenReturn(ToolResult.text("done")));

        assertThat(run(ToolRegistry.of(host, inner, ADD), ToolExecution.of("t", Principal.ANONYMOUS, Grants.none())))
                .isEqualTo(ToolResult.text("done"));

        assertThat(results.get(0).errorKind()).isEqualTo(ToolErrorKind.UNKNOWN_TOOL);
        assertThat(results.get(0).content()).isEqualTo("Unknown tool \"host\". Available tools: inner, add.");
        assertThat(results.get(1).errorKind()).isEqualTo(ToolErrorKind.UNKNOWN_TOOL);
        assertThat(results.get(1).content()).contains("cannot be called here")
                .contains("tool \"inner\" was itself called by a tool");
        assertThat(innerTools.get()).isEmpty();
    }

    @Test
    void aContextThatIsNotTheRegistrysRefusesCalls() {
        ToolContext plain = new ToolContext() {
            @Override
            public String taskId() {
                return "t";
            }

            @Override
            public String callId() {
                return "c";
            }

            @Override
            public Principal principal() {
                return Principal.ANONYMOUS;
            }

            @Override
            public Mono<Void> require(List<Capability> capabilities) {
                return Mono.empty();
            }
        };

        assertThat(plain.tools()).isEmpty();
        StepVerifier.create(plain.callTool("add", args("{}")))
                .assertNext(r -> assertThat(r.errorKind()).isEqualTo(ToolErrorKind.UNKNOWN_TOOL))
                .verifyComplete();
    }

    @Test
    void cancellingTheCallingToolCancelsItsNestedCall() throws InterruptedException {
        var started = new CountDownLatch(1);
        var cancelled = new CountDownLatch(1);
        Tool hang = Tool.builder("hang")
                .handler((a, ctx) -> Mono.<ToolResult>never()
                        .doOnSubscribe(s -> started.countDown())
                        .doOnCancel(cancelled::countDown))
                .build();
        Tool host = host((a, ctx) -> ctx.callTool("hang", args("{}")));
        var outer = ToolRegistry.of(host, hang)
                .execute(new ToolCall("c1", "host", "{}"),
                        ToolExecution.of("t", Principal.ANONYMOUS, Grants.none()))
                .subscribe();

        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        outer.dispose();

        assertThat(cancelled.await(30, TimeUnit.SECONDS)).isTrue();
    }
}
