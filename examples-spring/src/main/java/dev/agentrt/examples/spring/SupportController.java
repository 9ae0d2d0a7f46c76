package dev.agentrt.examples.spring;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentResult;
import dev.agentrt.core.Outcome;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Capability;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * The application's own endpoint, on the application's {@link Agent} bean: {@code POST /support/questions} with
 * {@code {"question":"..."}} runs a task and answers with its outcome, its answer, and the tool calls its run waits
 * on when a refund needs a person's approval. Non-blocking: the task runs on agentrt's schedulers and the reply is
 * written when it ends.
 */
@RestController
@RequestMapping("/support")
class SupportController {
    /** A customer's question. */
    record Question(String question) {}

    /**
     * What the agent did: the run (its id names it in the run store), how it ended, the answer, and what it waits on
     * (empty unless the outcome is {@code AWAITING_APPROVAL}).
     */
    record Answer(String runId, Outcome outcome, String answer, List<Waiting> waiting) {}

    /** A tool call a run waits on: what it would do and the capabilities it lacks. */
    record Waiting(String runId, String callId, String tool, String arguments, List<String> needs, String reason) {
        static Waiting of(PendingCall pending) {
            return new Waiting(pending.runId(), pending.call().id(), pending.call().name(),
                    pending.call().arguments(), pending.missing().stream().map(Capability::describe).toList(),
                    pending.text());
        }
    }

    private final Agent agent;

    SupportController(Agent agent) {
        this.agent = agent;
    }

    @PostMapping("/questions")
    Mono<Answer> ask(@RequestBody Question question) {
        if (question.question() == null || question.question().isBlank()) {
            return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST,
                    "the body needs a question: {\"question\":\"Where is order A-1002?\"}"));
        }
        return agent.task(question.question()).execute().flatMap(this::answer);
    }

    /** The result as the endpoints answer it, with what its run waits on when it is paused. */
    Mono<Answer> answer(AgentResult result) {
        if (!result.outcome().isPaused()) {
            return Mono.just(new Answer(result.runId(), result.outcome(), result.text(), List.of()));
        }
        return agent.pending(result.runId())
                .map(Waiting::of)
                .collectList()
                .map(waiting -> new Answer(result.runId(), result.outcome(), result.text(), waiting));
    }

    /** The run store's refusals as HTTP: an unknown run is 404, a call or run in another state 409. */
    @RestControllerAdvice
    static class RunStoreErrors {
        @ExceptionHandler(RunStoreException.UnknownRun.class)
        ProblemDetail unknownRun(RunStoreException.UnknownRun e) {
            return ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, e.getMessage());
        }

        @ExceptionHandler(RunStoreException.InvalidState.class)
        ProblemDetail invalidState(RunStoreException.InvalidState e) {
            return ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, e.getMessage());
        }
    }
}
