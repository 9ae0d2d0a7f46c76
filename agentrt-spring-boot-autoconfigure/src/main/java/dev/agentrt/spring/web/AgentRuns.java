package dev.agentrt.spring.web;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.Task;
import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonParseException;
import dev.agentrt.core.json.JsonValue;
import dev.agentrt.core.run.AgentJson;
import dev.agentrt.core.run.RunEvent;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What both controllers do, without their web stack: start a run detached from the request, look a run up, follow
 * its journaled events from a sequence number with heartbeats in between, and read the request's inputs with
 * messages that say what to send instead. Thread-safe; nothing here blocks.
 */
final class AgentRuns implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentRuns.class);
    /** The header an SSE client sends when it reconnects: the id (sequence number) of the last event it saw. */
    static final String LAST_EVENT_ID = "Last-Event-ID";
    /** Tells a proxy (nginx and those that follow it) to pass an event stream on as it comes, not in batches. */
    static final String NO_PROXY_BUFFERING = "X-Accel-Buffering";

    private final Agent agent;
    private final RunStore store;
    private final String path;
    private final Duration heartbeat;
    private final Duration pollInterval;
    /** The runs this process started and that have not ended: what {@link #close()} cancels. */
    private final Set<Disposable> running = ConcurrentHashMap.newKeySet();
    private int openStreams;
    /** Ends every open stream when the application stops, so each client can reconnect elsewhere from where it was. */
    private final Sinks.One<Boolean> stopping = Sinks.one();
    private final Sinks.Many<Integer> openStreamCounts = Sinks.many().replay().latest();
    private boolean closed;

    AgentRuns(Agent agent, AgentrtWebProperties properties) {
        properties.check();
        RunStore s = agent.runStore();
        if (s == null) {
            throw new IllegalStateException("agentrt.web.enabled=true needs the Agent bean to have a run store, "
                    + "since its runs are durable and streamed from the store: build it with "
                    + "Agent.builder().runStore(...) or define a RunStore bean, or set agentrt.web.enabled=false");
        }
        this.agent = agent;
        this.store = s;
        this.path = properties.getPath();
        this.heartbeat = properties.getHeartbeat();
        this.pollInterval = properties.getPollInterval();
        openStreamCounts.tryEmitNext(0);
    }

    /** What a POST asks for. */
    record StartRun(String prompt, @Nullable String sessionId) {}

    /** One thing to send on an event stream: an event, or a comment that keeps the connection alive. */
    record Item(@Nullable String id, @Nullable String name, @Nullable String data, @Nullable String comment) {
        static final Item HEARTBEAT = new Item(null, null, null, "keep-alive");
        static final Item END = new Item(null, null, null, "end");

        static Item of(RunEvent e) {
            JsonObject json = AgentJson.toJsonValue(e.event());
            return new Item(Long.toString(e.sequence()), json.getString("type").orElse("event"), json.toJson(),
                    null);
        }
    }

    /** A request the endpoint answers with an RFC 9457 problem: its status and what to do instead. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        private Problem(int status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }

        static Problem badRequest(String detail) {
            return new Problem(400, detail);
        }

        static Problem notFound(String detail) {
            return new Problem(404, detail);
        }

        static Problem unavailable(String detail) {
            return new Problem(503, detail);
        }

        int status() {
            return status;
        }

        ResponseEntity<ProblemDetail> toResponse() {
            return response(HttpStatusCode.valueOf(status), getMessage());
        }

        /** An RFC 9457 problem answer, of this type whatever the request accepts (an event stream, say). */
        static ResponseEntity<ProblemDetail> response(HttpStatusCode status, @Nullable String detail) {
            return ResponseEntity.status(status)
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(ProblemDetail.forStatusAndDetail(status, detail));
        }
    }

    String path() {
        return path;
    }

    /**
     * Reads a POST body: a JSON object with a non-blank {@code "prompt"} string and an optional {@code "sessionId"}
     * (1 to 200 characters, no control characters). Other members are ignored.
     */
    static StartRun parseStart(@Nullable String body) {
        String example = " Send a JSON object such as {\"prompt\": \"Summarise the open issues\"}.";
        if (body == null || body.isBlank()) {
            throw Problem.badRequest("The request has no body." + example);
        }
        JsonValue value;
        try {
            value = JsonValue.parse(body);
        } catch (JsonParseException e) {
            throw Problem.badRequest("The body is not valid JSON: " + e.getMessage() + "." + example);
        }
        if (!(value instanceof JsonObject o)) {
            throw Problem.badRequest("The body must be a JSON object, was a JSON " + value.typeName() + "."
                    + example);
        }
        JsonValue prompt = o.get("prompt");
        if (prompt == null) {
            throw Problem.badRequest("The body has no \"prompt\"." + example);
        }
        if (!(prompt instanceof JsonValue.JsonString p)) {
            throw Problem.badRequest("\"prompt\" must be a string, was a JSON " + prompt.typeName() + "." + example);
        }
        if (p.value().isBlank()) {
            throw Problem.badRequest("\"prompt\" must not be blank." + example);
        }
        JsonValue session = o.get("sessionId");
        if (session == null || session instanceof JsonValue.JsonNull) {
            return new StartRun(p.value(), null);
        }
        if (!(session instanceof JsonValue.JsonString s)) {
            throw Problem.badRequest("\"sessionId\" must be a string, was a JSON " + session.typeName() + ".");
        }
        String id = s.value();
        if (id.isEmpty() || id.length() > RunRecord.MAX_ID_LENGTH || id.chars()
                .anyMatch(c -> c < 0x20
                        || c == 0x7f)) {
            throw Problem.badRequest("\"sessionId\" must have 1 to " + RunRecord.MAX_ID_LENGTH
                    + " characters and no control characters, had " + id.length() + ".");
        }
        return new StartRun(p.value(), id);
    }

    /**
     * The sequence number after which a stream starts: the {@code Last-Event-ID} header of a reconnecting client,
     * else the {@code from} query parameter, else 0 (from the run's first event). Either is the id of the last event
     * the client saw: a non-negative integer.
     */
    static long after(@Nullable String lastEventId, @Nullable String from) {
        if (lastEventId != null && !lastEventId.isBlank()) {
            return sequence(lastEventId.strip(), "The " + LAST_EVENT_ID + " header");
        }
        if (from != null) {
            return sequence(from.strip(), "The query parameter \"from\"");
        }
        return 0;
    }

    private static long sequence(String text, String what) {
        String expected = " must be the id of the last event received, a whole number of at least 0";
        long n;
        try {
            n = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw Problem.badRequest(what + expected + ", was \"" + printable(text) + "\".");
        }
        if (n < 0) {
            throw Problem.badRequest(what + expected + ", was " + n + ".");
        }
        return n;
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** Who a request runs for: its authenticated user's name, or {@link Principal#ANONYMOUS}. */
    static Principal principal(java.security.@Nullable Principal user) {
        if (user == null || user.getName() == null || user.getName().isBlank()) {
            return Principal.ANONYMOUS;
        }
        return Principal.of(user.getName());
    }

    /**
     * Starts a durable run of the agent, detached from the caller: cancelling the returned Mono does not cancel
     * the run, which goes on until it ends (or until the application stops; it then stays resumable with
     * {@code agent.resume(runId)}). Emits the run's id once the run is in the store, so a stream asked for right
     * after finds it.
     */
    Mono<String> start(StartRun request, Principal principal) {
        return Mono.defer(() -> {
            // The run's id is agent-core's (drawn without blocking); it arrives with the run's Started event.
            Task task = (request.sessionId() == null
                    ? agent.task(request.prompt())
                    : agent.session(request.sessionId()).task(request.prompt()))
                    .as(principal);
            Sinks.One<String> started = Sinks.one();
            Disposable.Swap slot = Disposables.swap();
            synchronized (this) {
                if (closed) {
                    return Mono.error(Problem.unavailable("The application is shutting down: no run was started."));
                }
                running.add(slot);
            }
            slot.update(task.stream().subscribe(event -> {
                if (event instanceof AgentEvent.Started s) {
                    started.tryEmitValue(s.taskId());
                }
            }, error -> {
                running.remove(slot);
                if (started.tryEmitError(error).isFailure()) {
                    log.debug("a run failed: {}", error.toString());
                }
            }, () -> {
                running.remove(slot);
                started.tryEmitEmpty();
            }));
            return started.asMono()
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("the run ended before it started")));
        });
    }

    /** The run, or a 404 problem. */
    Mono<RunRecord> find(String runId) {
        return store.find(runId)
                .switchIfEmpty(Mono.error(() -> Problem.notFound("No run with id \""
                        + printable(runId) + "\" is in the run store.")));
    }

    /** What {@code GET {path}/runs/{runId}} answers: where the run stands, and where its events are. */
    Map<String, Object> describe(RunRecord run) {
        var out = new LinkedHashMap<String, Object>();
        out.put("runId", run.id());
        out.put("status", run.status().name());
        out.put("outcome", run.outcome() == null ? null : run.outcome().name());
        out.put("sessionId", run.sessionId());
        out.put("created", run.created().toString());
        out.put("updated", run.updated().toString());
        out.put("lastSequence", run.lastSequence());
        out.put("events", eventsPath(run.id()));
        return out;
    }

    /** What a POST answers: the new run's id and where its events are. */
    Map<String, Object> started(String runId) {
        var out = new LinkedHashMap<String, Object>();
        out.put("runId", runId);
        out.put("events", eventsPath(runId));
        return out;
    }

    private String eventsPath(String runId) {
        return path + "/runs/" + runId + "/events";
    }

    /**
     * The run's events after sequence number {@code after}, then its new ones as they are journaled, ending right
     * after its terminal event ({@link AgentEvent.Completed} or {@link AgentEvent.Failed}; a paused run's last is a
     * {@code Completed} whose outcome says it waits), with a heartbeat comment first and then every
     * {@code agentrt.web.heartbeat}; or when the application stops. Cancelling it (a client that went away) stops
     * reading the store; the run goes on.
     */
    Flux<Item> follow(String runId, long after) {
        // No journal reaches Long.MAX_VALUE entries: a client that has seen that many gets nothing more.
        long from = after == Long.MAX_VALUE ? Long.MAX_VALUE : after + 1;
        Flux<Item> events = agent.events(runId, from, pollInterval)
                .takeUntil(e -> e.event() instanceof AgentEvent.Completed || e.event() instanceof AgentEvent.Failed)
                .map(Item::of)
                .concatWith(Mono.just(Item.END));
        Flux<Item> heartbeats = Flux.interval(heartbeat, heartbeat).onBackpressureDrop().map(i -> Item.HEARTBEAT);
        // The first heartbeat goes out at once, so the response (its status and headers) reaches the client at once.
        return Flux.merge(events, heartbeats)
                .startWith(Item.HEARTBEAT)
                .takeUntilOther(stopping.asMono())
                .takeUntil(item -> item == Item.END)
                .filter(item -> item != Item.END)
                .doOnSubscribe(s -> countStreams(1))
                .doFinally(signal -> countStreams(-1));
    }

    private void countStreams(int delta) {
        // Under the lock, so the counts are emitted one at a time and in the order they were reached.
        synchronized (openStreamCounts) {
            openStreams += delta;
            openStreamCounts.tryEmitNext(openStreams);
        }
    }

    /** How many event streams are open, now and as it changes: to show that a stream ends with its client. */
    Flux<Integer> openStreams() {
        return openStreamCounts.asFlux();
    }

    /** How many runs this process started are still going. */
    int runningCount() {
        return running.size();
    }

    /**
     * As the application stops: ends the open event streams (their clients reconnect with {@code Last-Event-ID}) and
     * cancels the runs still going, each of which stays in the store as it was, resumable with
     * {@code agent.resume(runId)}.
     */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        stopping.tryEmitValue(true);
        running.forEach(Disposable::dispose);
        running.clear();
    }
}
