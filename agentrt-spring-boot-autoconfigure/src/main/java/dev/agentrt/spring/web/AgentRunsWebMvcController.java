package dev.agentrt.spring.web;

import dev.agentrt.core.AgentSchedulers;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.util.Map;

/**
 * The application's agent over HTTP, in a Spring MVC (servlet) application: the same endpoints, answers and errors
 * as {@link AgentRunsWebFluxController}, whose comment describes them. Registered by
 * {@link AgentrtWebMvcAutoConfiguration} when {@code agentrt.web.enabled=true}; the paths are under
 * {@code agentrt.web.path} (default {@code /agentrt}).
 *
 * <p>Threads: a POST and a GET of a run answer asynchronously (the request's thread is freed while the run is created
 * or read). Their answers are handed back to the server from a virtual thread ({@code AgentSchedulers.blocking()}),
 * never from the Reactor thread that completed them: the hand-back takes the server's locks (Tomcat's worker queue
 * among them), and a Reactor thread must not wait on a lock. A GET of events reads the run's record on the request's
 * thread (a short store read, as any JDBC call of a controller), then streams
 * with an {@link SseEmitter} that never times out, writing from virtual threads ({@code AgentSchedulers.blocking()}),
 * never from a Reactor thread. A client that went away is noticed at the next write (an event or a heartbeat); its
 * stream then stops reading the store, and the run goes on.
 */
@RestController
@RequestMapping("${agentrt.web.path:/agentrt}/runs")
public class AgentRunsWebMvcController {
    private final AgentRuns runs;

    AgentRunsWebMvcController(AgentRuns runs) {
        this.runs = runs;
    }

    /** Starts a run; see {@link AgentRunsWebFluxController}. */
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> start(@RequestBody(required = false) @Nullable String body,
            java.security.@Nullable Principal user) {
        AgentRuns.StartRun request = AgentRuns.parseStart(body);
        UriComponentsBuilder location = ServletUriComponentsBuilder.fromCurrentRequestUri().path("/{runId}");
        return runs.start(request, AgentRuns.principal(user))
                .map(runId -> ResponseEntity.created(location.buildAndExpand(runId).toUri())
                        .body(runs.started(runId)))
                .publishOn(AgentSchedulers.blocking());
    }

    /** Where a run stands; see {@link AgentRunsWebFluxController}. */
    @GetMapping(path = "/{runId}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Map<String, Object>>> run(@PathVariable String runId) {
        return runs.find(runId).map(run -> ResponseEntity.ok(runs.describe(run))).publishOn(AgentSchedulers.blocking());
    }

    /** A run's events as server-sent events; see {@link AgentRunsWebFluxController}. */
    @GetMapping(path = "/{runId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    public ResponseEntity<SseEmitter> events(@PathVariable String runId,
            @RequestHeader(name = AgentRuns.LAST_EVENT_ID, required = false) @Nullable String lastEventId,
            @RequestParam(name = "from", required = false) @Nullable String from) {
        long after = AgentRuns.after(lastEventId, from);
        // A servlet thread may wait: the answer's status (404) must be known before the stream starts.
        runs.find(runId).block();
        SseEmitter emitter = new SseEmitter(0L);
        var forward = new Forward(emitter);
        emitter.onCompletion(forward::dispose);
        emitter.onTimeout(forward::dispose);
        emitter.onError(e -> forward.dispose());
        runs.follow(runId, after).publishOn(AgentSchedulers.blocking()).subscribe(forward);
        return ResponseEntity.ok()
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header(AgentRuns.NO_PROXY_BUFFERING, "no")
                .body(emitter);
    }

    /** Writes a stream's items to its emitter, one at a time, and stops reading when the client is gone. */
    private static final class Forward extends BaseSubscriber<AgentRuns.Item> {
        private final SseEmitter emitter;

        Forward(SseEmitter emitter) {
            this.emitter = emitter;
        }

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        protected void hookOnNext(AgentRuns.Item item) {
            try {
                emitter.send(event(item));
            } catch (IOException | IllegalStateException e) {
                // The client went away (or the emitter completed): stop following; the run goes on.
                dispose();
            }
        }

        @Override
        protected void hookOnComplete() {
            emitter.complete();
        }

        @Override
        protected void hookOnError(Throwable error) {
            emitter.completeWithError(error);
        }
    }

    private static SseEmitter.SseEventBuilder event(AgentRuns.Item item) {
        SseEmitter.SseEventBuilder b = SseEmitter.event();
        String comment = item.comment();
        if (comment != null) {
            return b.comment(comment);
        }
        String id = item.id();
        String name = item.name();
        String data = item.data();
        if (id != null) {
            b.id(id);
        }
        if (name != null) {
            b.name(name);
        }
        if (data != null) {
            b.data(data);
        }
        return b;
    }

    @ExceptionHandler(AgentRuns.Problem.class)
    ResponseEntity<ProblemDetail> problem(AgentRuns.Problem e) {
        return e.toResponse();
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        return AgentRuns.Problem.response(HttpStatus.BAD_REQUEST, "The request could not be read: "
                + e.getMessage());
    }
}
