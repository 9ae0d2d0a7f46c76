package dev.agentrt.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.contract.ToolContract;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonSchema;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.model.Message;
import dev.agentrt.core.model.ScriptedChatModel;
import dev.agentrt.core.model.ScriptedChatModel.Reply;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolContext;
import dev.agentrt.core.tool.ToolErrorKind;
import dev.agentrt.core.tool.ToolExecution;
import dev.agentrt.core.tool.ToolRegistry;
import dev.agentrt.core.tool.ToolResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

class ToolsTest {
    public enum Unit {
        CELSIUS, FAHRENHEIT
    }

    @JsonClassDescription("A place on Earth")
    public record Place(@JsonPropertyDescription("City name") String city, Optional<String> country) {}

    public record Stop(Place place, int nights, @Nullable LocalDate from) {}

    /** Tools over records, enums, lists and optionals; counts its calls. */
    public static final class Travel {
        final AtomicInteger calls = new AtomicInteger();

        @ToolMethod("Plans a trip and returns its summary")
        public Map<String, Object> planTrip(@Param("Where the trip starts") Place start, List<Stop> stops, Unit unit,
                Optional<Integer> budget, @Param(value = "Anything else", required = false) @Nullable String notes) {
            calls.incrementAndGet();
            int nights = stops.stream().mapToInt(Stop::nights).sum();
            return Map.of("start", start.city(), "country", start.country().orElse("?"), "nights", nights,
                    "unit", unit, "budget", budget.map(String::valueOf).orElse("none"),
                    "notes", notes == null ? "none" : notes);
        }

        @ToolMethod(name = "count", description = "Counts to n")
        public int countTo(int n) {
            calls.incrementAndGet();
            return n;
        }
    }

    static ToolResult call(List<dev.agentrt.core.tool.Tool> tools, String name, String arguments,
            Capability... grants) {
        return ToolRegistry.of(tools)
                .execute(new ToolCall("call-1", name, arguments),
                        ToolExecution.of("task-1", Principal.ANONYMOUS, Grants.of(grants)))
                .block(Duration.ofSeconds(20));
    }

    static dev.agentrt.core.tool.Tool named(List<dev.agentrt.core.tool.Tool> tools, String name) {
        return tools.stream().filter(t -> t.spec().name().equals(name)).findFirst().orElseThrow();
    }

    static final String TRIP = """
            {"start":{"city":"Lyon","country":"FR"},
             "stops":[{"place":{"city":"Turin"},"nights":2},{"place":{"city":"Genoa","country":null},"nights":3,
                       "from":"2025-05-01"}],
             "unit":"CELSIUS","budget":900}""";

    @Test
    void generatesTheSchemaOfAMethodFromItsParameterTypes() {
        var tool = named(Tools.from(new Travel()), "plan_trip");

        // Object types are written out where they are used (only cycles go to $defs, as for structured
        // output); a property's description replaces its type's.
        String place = """
                "type":"object",
                "properties":{"city":{"type":"string","description":"City name"},
                              "country":{"type":["string","null"]}},
                "required":["city"],"additionalProperties":false""";
        JsonObject expected = JsonValue.parse("""
                {"type":"object",
                 "properties":{
                   "start":{%s,"description":"Where the trip starts"},
                   "stops":{"type":"array","items":{"type":"object",
                     "properties":{"place":{%s,"description":"A place on Earth"},"nights":{"type":"integer"},
                                   "from":{"type":["string","null"],"format":"date"}},
                     "required":["place","nights"],"additionalProperties":false}},
                   "unit":{"type":"string","enum":["CELSIUS","FAHRENHEIT"]},
                   "budget":{"type":["integer","null"]},
                   "notes":{"type":["string","null"],"description":"Anything else"}},
                 "required":["start","stops","unit"],
                 "additionalProperties":false}
                """.formatted(place, place)).asObject();
        assertThat(tool.spec().parameters()).isEqualTo(expected);
        assertThat(tool.spec().description()).isEqualTo("Plans a trip and returns its summary");
        assertThat(tool.blocking()).isTrue();
        assertThat(JsonSchema.compile(tool.spec().parameters()).isValid(JsonValue.parse(TRIP))).isTrue();
    }

    /** Return types, each with and without a structure a client can rely on. */
    public static final class Shapes {
        public record Point(int x, int y) {}

        @ToolMethod("a record")
        public Point point() {
            return new Point(1, 2);
        }

        @ToolMethod("a record, later")
        public Mono<Point> later() {
            return Mono.just(new Point(3, 4));
        }

        @ToolMethod("a record, in the future")
        public CompletableFuture<Point> future() {
            return CompletableFuture.completedFuture(new Point(5, 6));
        }

        @ToolMethod("records, streamed")
        public Flux<Point> stream() {
            return Flux.just(new Point(7, 8));
        }

        @ToolMethod("records in a list")
        public List<Point> list() {
            return List.of(new Point(9, 10));
        }

        @ToolMethod("text")
        public String text() {
            return "t";
        }

        @ToolMethod("any JSON")
        public JsonValue json() {
            return JsonValue.parse("{}");
        }

        @ToolMethod("a result of its own")
        public ToolResult result() {
            return ToolResult.text("r");
        }

        @ToolMethod("nothing")
        public void nothing() {}
    }

    @Test
    void aMethodReturningAnObjectTypePromisesItsSchemaAsTheOutputSchemaAndNothingElseDoes() {
        List<dev.agentrt.core.tool.Tool> tools = Tools.from(new Shapes());
        JsonObject point = dev.agentrt.core.json.TypeSchema.of(Shapes.Point.class,
                dev.agentrt.core.json.TypeSchema.Mode.LENIENT);
        for (String name : List.of("point", "later", "future")) {
            assertThat(named(tools, name).spec().outputSchema()).as(name).isEqualTo(point);
            ToolResult r = call(tools, name, "{}");
            assertThat(JsonSchema.compile(point).validate(JsonValue.parse(r.content()))).as(name).isEmpty();
        }
        for (String name : List.of("stream", "list", "text", "json", "result", "nothing")) {
            assertThat(named(tools, name).spec().outputSchema()).as(name).isNull();
        }
    }

    @Test
    void namesToolsInSnakeCaseUnlessNamedAndOrdersThemByName() {
        assertThat(Tools.from(new Travel())).extracting(t -> t.spec().name()).containsExactly("count", "plan_trip");
        assertThat(Tools.from(Statics.class)).extracting(t -> t.spec().name())
                .containsExactly("parse_http_response", "top10_items");
    }

    public static final class Statics {
        @ToolMethod("Parses")
        public static String parseHTTPResponse(String text) {
            return text.strip();
        }

        @ToolMethod("Lists")
        public static List<String> top10Items() {
            return List.of("a", "b");
        }
    }

    @Test
    void bindsRecordsEnumsListsAndOptionalsAndWritesTheResultAsJson() {
        var travel = new Travel();
        ToolResult r = call(Tools.from(travel), "plan_trip", TRIP);

        assertThat(r.isError()).as(r.content()).isFalse();
        assertThat(JsonValue.parse(r.content())).isEqualTo(JsonValue.parse("""
                {"start":"Lyon","country":"FR","nights":5,"unit":"CELSIUS","budget":"900","notes":"none"}"""));
        assertThat(call(Tools.from(travel), "plan_trip", """
                {"start":{"city":"Oslo"},"stops":[],"unit":"FAHRENHEIT","budget":null,"notes":"by train"}""")
                .content()).contains("\"budget\":\"none\"", "\"notes\":\"by train\"", "\"country\":\"?\"");
        assertThat(call(Tools.from(travel), "count", "{\"n\":7}")).isEqualTo(ToolResult.text("7"));
        assertThat(call(Tools.from(Statics.class), "top10_items", "{}")).isEqualTo(ToolResult.text("[\"a\",\"b\"]"));
        assertThat(travel.calls).hasValue(3);
    }

    @Test
    void runsThroughAnAgentAndReturnsTheResultToTheModel() {
        var model = ScriptedChatModel.of(Reply.toolCall("count", "{\"n\":42}"), Reply.text("counted"));
        Agent agent = Agent.builder().model(model).tools(Tools.from(new Travel())).build();

        StepVerifier.create(agent.task("count to 42").execute()).assertNext(r -> {
            assertThat(r.text()).isEqualTo("counted");
            assertThat(toolResults(r)).singleElement().satisfies(t -> {
                assertThat(t.content()).isEqualTo("42");
                assertThat(t.error()).isFalse();
            });
        }).verifyComplete();
        assertThat(model.requests().get(0).tools()).extracting(s -> s.name()).containsExactly("count", "plan_trip");
    }

    static List<Message.ToolResult> toolResults(AgentResult r) {
        return r.transcript()
                .stream()
                .filter(Message.ToolResult.class::isInstance)
                .map(Message.ToolResult.class::cast)
                .toList();
    }

    @Test
    void answersBadArgumentsWithAnErrorAndNeverCallsTheMethod() {
        var travel = new Travel();
        var tools = Tools.from(travel);

        for (String bad : List.of("{\"n\":\"seven\"}", "{}", "{\"n\":1,\"m\":2}", "{\"n\":", "[1]", "{\"n\":1.5}",
                "{\"n\":99999999999}")) {
            ToolResult r = call(tools, "count", bad);
            assertThat(r.errorKind()).as(bad).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        }
        ToolResult badEnum = call(tools, "plan_trip",
                "{\"start\":{\"city\":\"Oslo\"},\"stops\":[],\"unit\":\"KELVIN\"}");
        assertThat(badEnum.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        ToolResult badDate = call(tools, "plan_trip", """
                {"start":{"city":"Oslo"},"stops":[{"place":{"city":"Bergen"},"nights":1,"from":"tomorrow"}],
                 "unit":"CELSIUS"}""");
        assertThat(badDate.errorKind()).isEqualTo(ToolErrorKind.INVALID_ARGUMENTS);
        assertThat(badDate.content()).contains("parameter \"stops\"").contains("tomorrow");
        assertThat(call(tools, "count", "{\"n\":99999999999}").content())
                .contains("parameter \"n\": expected an integer from -2147483648 to 2147483647");
        assertThat(travel.calls).hasValue(0);
    }

    /** A blocking tool that returns only once {@code n} calls are waiting in it together. */
    public static final class Meeting {
        final CountDownLatch everyone;
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        Meeting(int n) {
            everyone = new CountDownLatch(n);
        }

        @ToolMethod("Waits for the other callers")
        public String meet() throws InterruptedException {
            threads.add(Thread.currentThread().getName() + "#" + Thread.currentThread().threadId());
            everyone.countDown();
            return everyone.await(1, TimeUnit.MINUTES) ? "met" : "alone";
        }
    }

    /** Tools that fail, block, or answer asynchronously. */
    public static final class Behaviours {
        final Set<String> threads = ConcurrentHashMap.newKeySet();

        @ToolMethod("Fails")
        public String explode(String why) throws java.io.IOException {
            throw new java.io.IOException("disk on fire: " + why);
        }

        @ToolMethod("Sleeps, then answers")
        public String nap(int ms) throws InterruptedException {
            Thread.sleep(ms);
            threads.add(Thread.currentThread().getName());
            return "rested " + ms;
        }

        @ToolMethod("Does nothing")
        public void nothing() {}

        @ToolMethod("A later greeting")
        public Mono<String> greet(String name) {
            return Mono.delay(Duration.ofMillis(5)).map(x -> "hello " + name);
        }

        @ToolMethod("An empty Mono")
        public Mono<Void> quiet() {
            return Mono.empty();
        }

        @ToolMethod("A failing Mono")
        public Mono<String> sulk() {
            return Mono.error(new IllegalStateException("not today"));
        }

        @ToolMethod("Counts up")
        public Flux<Integer> upTo(int n) {
            return Flux.range(1, n);
        }

        @ToolMethod("Answers from a future")
        public CompletableFuture<Place> later(String city) {
            return CompletableFuture.supplyAsync(() -> new Place(city, Optional.of("IT")));
        }

        @ToolMethod("A failing future")
        public CompletableFuture<String> broken() {
            return CompletableFuture.failedFuture(new IllegalArgumentException("no future"));
        }

        @ToolMethod("Returns its own result")
        public ToolResult verdict(boolean ok) {
            return ok ? ToolResult.text("fine") : ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "refused");
        }

        @ToolMethod("Echoes JSON")
        public JsonValue echo(JsonObject value) {
            return value;
        }
    }

    @Test
    void turnsAnExceptionIntoAnExecutionFailedResult() {
        ToolResult r = call(Tools.from(new Behaviours()), "explode", "{\"why\":\"test\"}");
        assertThat(r).isEqualTo(ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                "Tool \"explode\" failed: IOException: disk on fire: test"));
    }

    @Test
    void runsBlockingMethodsOffTheReactorThreadsManyAtATime() {
        var behaviours = new Behaviours();
        var tools = Tools.from(behaviours);
        ToolRegistry registry = ToolRegistry.of(tools);
        var execution = ToolExecution.of("many", Principal.ANONYMOUS, Grants.none());
        int calls = 200;
        StepVerifier.create(Mono.fromCallable(() -> behaviours.nap(1)).subscribeOn(Schedulers.parallel()))
                .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("Blocking call"))
                .verify(Duration.ofSeconds(30));

        // Subscribed on a non-blocking thread: BlockHound fails the wait unless it moved to the blocking scheduler.
        // No call can return "met" before all of them are running at once, whatever the machine's speed.
        var meeting = new Meeting(calls);
        ToolRegistry meetings = ToolRegistry.of(Tools.from(meeting));
        List<ToolResult> results = Flux.range(0, calls)
                .flatMap(i -> meetings.execute(new ToolCall("c" + i, "meet", "{}"), execution)
                        .subscribeOn(Schedulers.parallel()), calls)
                .collectList()
                .block(Duration.ofMinutes(2));

        assertThat(results).hasSize(calls).allSatisfy(r -> assertThat(r).isEqualTo(ToolResult.text("met")));
        assertThat(meeting.threads).hasSize(calls);
        assertThat(meeting.threads).allSatisfy(name -> assertThat(name).startsWith("agentrt-blocking-"));
        assertThat(registry.execute(new ToolCall("n", "nap", "{\"ms\":1}"), execution).block(Duration.ofMinutes(1)))
                .isEqualTo(ToolResult.text("rested 1"));
        assertThat(behaviours.threads).allSatisfy(name -> assertThat(name).startsWith("agentrt-blocking-"));
    }

    @Test
    void supportsMonoFluxFutureVoidToolResultAndJsonReturns() {
        var tools = Tools.from(new Behaviours());
        assertThat(call(tools, "greet", "{\"name\":\"Ada\"}")).isEqualTo(ToolResult.text("hello Ada"));
        assertThat(call(tools, "quiet", "{}")).isEqualTo(ToolResult.text("ok"));
        assertThat(call(tools, "nothing", "{}")).isEqualTo(ToolResult.text("ok"));
        assertThat(call(tools, "up_to", "{\"n\":3}")).isEqualTo(ToolResult.text("[1,2,3]"));
        assertThat(JsonValue.parse(call(tools, "later", "{\"city\":\"Rome\"}").content()))
                .isEqualTo(JsonValue.parse("{\"city\":\"Rome\",\"country\":\"IT\"}"));
        assertThat(call(tools, "verdict", "{\"ok\":false}"))
                .isEqualTo(ToolResult.error(ToolErrorKind.EXECUTION_FAILED, "refused"));
        assertThat(call(tools, "echo", "{\"value\":{\"a\":[1,{\"b\":null}]}}"))
                .isEqualTo(ToolResult.text("{\"a\":[1,{\"b\":null}]}"));
        assertThat(call(tools, "sulk", "{}")).isEqualTo(ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                "Tool \"sulk\" failed: IllegalStateException: not today"));
        assertThat(call(tools, "broken", "{}")).isEqualTo(ToolResult.error(ToolErrorKind.EXECUTION_FAILED,
                "Tool \"broken\" failed: IllegalArgumentException: no future"));
        assertThat(tools).filteredOn(t -> t.blocking())
                .extracting(t -> t.spec().name())
                .containsExactlyInAnyOrder("echo", "explode", "nap", "nothing", "verdict");
    }

    @Test
    void anAsynchronousToolIsInvokedLazilyAndDirectly() {
        var tool = named(Tools.from(new Behaviours()), "greet");
        StepVerifier.create(tool.invoke(JsonValue.parse("{\"name\":\"Bo\"}").asObject(), null))
                .expectNext(ToolResult.text("hello Bo"))
                .verifyComplete();
    }

    /** Tools guarded by capabilities, declared and computed. */
    public static final class Guarded {
        final List<String> ran = new ArrayList<>();
        final Path root = Path.of("/srv/docs");

        @ToolMethod(value = "Reads the token", requires = {"env:API_TOKEN", "payments:refund"})
        public synchronized String token() {
            ran.add("token");
            return "secret";
        }

        @ToolMethod(value = "Reads a document", capabilities = "readCapabilities")
        public synchronized String read(String path, ToolContext context) {
            ran.add("read " + path + " for " + context.taskId());
            return "contents of " + path;
        }

        public List<Capability> readCapabilities(String path) {
            return List.of(Capability.fileRead(root.resolve(path)));
        }

        @ToolMethod("Fetches a page, checking the host it learns while running")
        public synchronized String fetch(String host, ToolContext context) {
            context.require(Capability.net(host)).block();
            ran.add("fetch " + host);
            return "page of " + host;
        }
    }

    @Test
    void checksDeclaredCapabilitiesBeforeCalling() {
        var guarded = new Guarded();
        var tools = Tools.from(guarded);
        assertThat(named(tools, "token").requiredCapabilities(JsonObject.EMPTY))
                .containsExactly(Capability.env("API_TOKEN"), Capability.custom("payments", "refund"));

        ToolResult denied = call(tools, "token", "{}", Capability.env("API_TOKEN"));
        assertThat(denied.errorKind()).isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(denied.content()).contains("payments:refund");
        assertThat(guarded.ran).isEmpty();

        ToolResult allowed = call(tools, "token", "{}", Capability.env("*"), Capability.custom("payments"));
        assertThat(allowed).isEqualTo(ToolResult.text("secret"));
        assertThat(guarded.ran).containsExactly("token");
    }

    @Test
    void checksCapabilitiesComputedFromTheArguments() {
        var guarded = new Guarded();
        var tools = Tools.from(guarded);
        var read = named(tools, "read");
        assertThat(read.spec().parameters().getObject("properties").orElseThrow().members()).containsOnlyKeys("path");
        assertThat(read.requiredCapabilities(JsonValue.parse("{\"path\":\"a.md\"}").asObject()))
                .containsExactly(Capability.fileRead(Path.of("/srv/docs/a.md")));

        Capability grant = Capability.fileRead(Path.of("/srv/docs/public"));
        assertThat(call(tools, "read", "{\"path\":\"private/keys.md\"}", grant).errorKind())
                .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(guarded.ran).isEmpty();
        assertThat(call(tools, "read", "{\"path\":\"public/a.md\"}", grant))
                .isEqualTo(ToolResult.text("contents of public/a.md"));
        assertThat(guarded.ran).containsExactly("read public/a.md for task-1");
    }

    @Test
    void aDenialFromTheContextWhileRunningIsAPermissionDeniedResult() {
        var guarded = new Guarded();
        var tools = Tools.from(guarded);
        assertThat(call(tools, "fetch", "{\"host\":\"evil.example\"}", Capability.net("docs.example")).errorKind())
                .isEqualTo(ToolErrorKind.PERMISSION_DENIED);
        assertThat(call(tools, "fetch", "{\"host\":\"docs.example\"}", Capability.net("docs.example")))
                .isEqualTo(ToolResult.text("page of docs.example"));
        assertThat(guarded.ran).containsExactly("fetch docs.example");
    }

    public static final class NotPublic {
        @ToolMethod("hidden")
        String hidden() {
            return "";
        }
    }

    public static final class StaticOnInstance {
        @ToolMethod("static")
        public static String s() {
            return "";
        }
    }

    public static final class Clash {
        @ToolMethod("one")
        public String same(String a) {
            return a;
        }

        @ToolMethod("two")
        public String same(int a) {
            return "" + a;
        }
    }

    public static final class Untyped {
        @ToolMethod("takes anything")
        public String any(Object value) {
            return "" + value;
        }
    }

    public static final class Raw {
        @ToolMethod("takes a raw list")
        @SuppressWarnings("rawtypes")
        public String raw(List values) {
            return "" + values;
        }
    }

    public static final class Generic<T> {
        @ToolMethod("takes T")
        public String generic(T value) {
            return "" + value;
        }
    }

    public static final class BadCapability {
        @ToolMethod(value = "x", requires = "net:")
        public String x() {
            return "";
        }
    }

    public static final class MissingCompanion {
        @ToolMethod(value = "x", capabilities = "nowhere")
        public String x(String path) {
            return path;
        }

        public List<Capability> nowhere(int path) {
            return List.of();
        }
    }

    public static final class BadName {
        @ToolMethod(name = "no spaces allowed", value = "x")
        public String x() {
            return "";
        }
    }

    public static final class OptionalPrimitive {
        @ToolMethod("x")
        public String x(@Param(required = false) int n) {
            return "" + n;
        }
    }

    public static final class Nothing {
        public String notATool() {
            return "";
        }
    }

    public static final class DuplicateElsewhere {
        @ToolMethod("another count")
        public int count(int n) {
            return n;
        }
    }

    @Test
    void rejectsWhatItCannotTurnIntoAToolNamingTheClassAndMethod() {
        assertThatThrownBy(() -> Tools.from(new NotPublic())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NotPublic.hidden()")
                .hasMessageContaining("must be public");
        assertThatThrownBy(() -> Tools.from(new StaticOnInstance())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("StaticOnInstance.s()")
                .hasMessageContaining("static");
        assertThatThrownBy(() -> Tools.from(Travel.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Travel.")
                .hasMessageContaining("an instance @ToolMethod method");
        assertThatThrownBy(() -> Tools.from(new Clash())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two tools are named 'same'")
                .hasMessageContaining("Clash.same(");
        assertThatThrownBy(() -> Tools.from(new Travel(), new DuplicateElsewhere()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two tools are named 'count'");
        assertThatThrownBy(() -> Tools.from(new Untyped())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Untyped.any(Object)")
                .hasMessageContaining("unsupported type");
        assertThatThrownBy(() -> Tools.from(new Raw())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Raw.raw(List)")
                .hasMessageContaining("raw type java.util.List");
        assertThatThrownBy(() -> Tools.from(new Generic<String>())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Generic.generic(Object)")
                .hasMessageContaining("type variable T");
        assertThatThrownBy(() -> Tools.from(new BadCapability())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BadCapability.x()")
                .hasMessageContaining("'net:' lacks a host");
        assertThatThrownBy(() -> Tools.from(new MissingCompanion())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MissingCompanion.x(String)")
                .hasMessageContaining("public Collection<Capability> nowhere(java.lang.String)");
        assertThatThrownBy(() -> Tools.from(new BadName())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BadName.x()")
                .hasMessageContaining("tool name must be");
        assertThatThrownBy(() -> Tools.from(new OptionalPrimitive())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OptionalPrimitive.x(int)")
                .hasMessageContaining("Integer or Optional<Integer>");
        assertThatThrownBy(() -> Tools.from(new Nothing())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Nothing has no public @ToolMethod method");
    }

    /** The core's contract, run against a generated tool with a computed capability. */
    @Nested
    class GeneratedToolContract extends ToolContract {
        @Override
        protected dev.agentrt.core.tool.Tool tool() {
            return named(Tools.from(new Guarded()), "read");
        }

        @Override
        protected JsonObject validArguments() {
            return JsonValue.parse("{\"path\":\"guide.md\"}").asObject();
        }

        @Override
        protected Grants grants() {
            return Grants.of(Capability.fileRead(Path.of("/srv/docs")));
        }
    }
}
