package dev.agentrt.spring.web;

import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.util.Map;

/**
 * The application's agent over HTTP, in a WebFlux application: start a durable run, then follow its events as
 * server-sent events, reattaching after a disconnect without losing or repeating one. Registered by
 * {@link AgentrtWebFluxAutoConfiguration} when {@code agentrt.web.enabled=true}; the paths below are under
 * {@code agentrt.web.path} (default {@code /agentrt}).
 *
 * <pre>
 * $ curl -i localhost:8080/agentrt/runs -H 'Content-Type: application/json' -d '{"prompt": "List the open issues"}'
 * HTTP/1.1 201 Created
 * Location: http://localhost:8080/agentrt/runs/run-0c5e...
 * {"runId":"run-0c5e...","events":"/agentrt/runs/run-0c5e.../events"}
 *
 * $ curl -N localhost:8080/agentrt/runs/run-0c5e.../events
 * id:1
 * event:started
 * data: {"type":"started","taskId":"run-0c5e...","input":"List the open issues",...}
 * ...
 *
 * // In a browser: an EventSource reconnects by itself, sending Last-Event-ID.
 * const events = new EventSource("/agentrt/runs/" + runId + "/events");
 * events.addEventListener("completed", e =&gt; { show(JSON.parse(e.data).result.text); events.close(); });
 * </pre>
 *
 * <ul>
 *   <li>{@code POST {path}/runs} with a JSON body {@code {"prompt": "...", "sessionId": "..."}} ({@code sessionId}
 *       optional: the run then continues that conversation) starts a run of the application's {@code Agent} bean
 *       and answers {@code 201 Created}, {@code Location: {path}/runs/{runId}} and
 *       {@code {"runId": "...", "events": "{path}/runs/{runId}/events"}} once the run is in the run store. The run
 *       goes on whether or not a client follows it; it runs for the request's authenticated user, if any
 *       ({@code Principal.of(name)}), else for {@code Principal.ANONYMOUS}.
 *   <li>{@code GET {path}/runs/{runId}} answers where the run stands: {@code runId}, {@code status}
 *       ({@code RunStatus}), {@code outcome}, {@code sessionId}, {@code created}, {@code updated},
 *       {@code lastSequence} and {@code events}.
 *   <li>{@code GET {path}/runs/{runId}/events} streams the run's journaled events as {@code text/event-stream}:
 *       each has {@code id:} the event's sequence number in the run's journal, {@code event:} its kind (the
 *       {@code "type"} of its JSON form: {@code started}, {@code tool_call_requested}, {@code completed}...) and
 *       {@code data:} the event as JSON ({@code AgentJson.write(AgentEvent)}, read back with
 *       {@code AgentJson.readEvent}). It starts from the run's first event, or strictly after the sequence number in
 *       the {@code Last-Event-ID} header (sent by a reconnecting {@code EventSource}) or else in the {@code from}
 *       query parameter, and ends after the run's terminal event ({@code completed} or {@code failed}; a paused run
 *       ends with a {@code completed} whose outcome says what it waits for). A comment line is sent at once and then
 *       every {@code agentrt.web.heartbeat}. Streamed deltas (text as it is generated) are not journaled, so they
 *       are not sent.
 * </ul>
 *
 * <p>Errors are RFC 9457 problems ({@code application/problem+json}): 400 for a body that is not a JSON object with
 * a non-blank {@code prompt} string (or a {@code sessionId} that is not a string of 1 to 200 characters), and for a
 * {@code Last-Event-ID} or {@code from} that is not a whole number of at least 0; 404 for an unknown run; 503 while
 * the application stops. A client that goes away stops its stream only: the run goes on.
 *
 * <p>There is no cancel: an agent's run is cancelled by disposing the subscription that runs it, which leaves a
 * durable run resumable rather than ended, so a {@code DELETE} could not end it for its followers. When the
 * application stops, its open streams end (their clients reconnect, to another instance say, with
 * {@code Last-Event-ID}) and the runs it started that are still going stay in the run store, resumable with
 * {@code agent.resume(runId)}.
 *
 * <p>Nothing here blocks: the run store is read on its own threads. Access control is the application's: protect
 * {@code {path}/**} like any other endpoint (run ids are random UUIDs).
 */
@RestController
@RequestMapping("${agentrt.web.path:/agentrt}/runs")
public class AgentRunsWebFluxController {
    private final AgentRuns runs;

    AgentRunsWebFluxController(AgentRuns runs) {
        this.runs = runs;
    }

    /** Starts a run; see the class comment. */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> start(@RequestBody(required = false) @Nullable String body,
            ServerWebExchange exchange) {
        AgentRuns.StartRun request = AgentRuns.parseStart(body);
        UriComponentsBuilder location = UriComponentsBuilder.fromUri(exchange.getRequest().getURI())
                .replaceQuery(null)
                .fragment(null)
                .path("/{runId}");
        return exchange.getPrincipal()
                .map(AgentRuns::principal)
                .defaultIfEmpty(Principal.ANONYMOUS)
                .flatMap(principal -> runs.start(request, principal))
                .map(runId -> {
                    URI uri = location.buildAndExpand(runId).toUri();
                    return ResponseEntity.created(uri).body(runs.started(runId));
                });
    }

    /** Where a run stands; see the class comment. */
    @GetMapping(path = "/{runId}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> run(@PathVariable String runId) {
        return runs.find(runId).map(run -> ResponseEntity.ok(runs.describe(run)));
    }

    /** A run's events as server-sent events; see the class comment. */
    @GetMapping(path = "/{runId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public Mono<ResponseEntity<Flux<ServerSentEvent<String>>>> events(@PathVariable String runId,
            @RequestHeader(name = AgentRuns.LAST_EVENT_ID, required = false) @Nullable String lastEventId,
            @RequestParam(name = "from", required = false) @Nullable String from) {
        long after = AgentRuns.after(lastEventId, from);
        return runs.find(runId)
                .map(run -> ResponseEntity.ok()
                        .header(HttpHeaders.CACHE_CONTROL, "no-store")
                        .header(AgentRuns.NO_PROXY_BUFFERING, "no")
                        .body(runs.follow(runId, after).map(AgentRunsWebFluxController::event)));
    }

    private static ServerSentEvent<String> event(AgentRuns.Item item) {
        String comment = item.comment();
        if (comment != null) {
            return ServerSentEvent.<String>builder().comment(comment).build();
        }
        ServerSentEvent.Builder<String> b = ServerSentEvent.builder();
        String id = item.id();
        String name = item.name();
        String data = item.data();
        if (id != null) {
            b.id(id);
        }
        if (name != null) {
            b.event(name);
        }
        if (data != null) {
            b.data(data);
        }
        return b.build();
    }

    @ExceptionHandler(AgentRuns.Problem.class)
    ResponseEntity<ProblemDetail> problem(AgentRuns.Problem e) {
        return e.toResponse();
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<ProblemDetail> unreadable(ServerWebInputException e) {
        return AgentRuns.Problem.response(HttpStatus.BAD_REQUEST, "The request could not be read: "
                + e.getReason());
    }
}
