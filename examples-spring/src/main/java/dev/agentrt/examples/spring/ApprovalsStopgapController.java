package dev.agentrt.examples.spring;

import dev.agentrt.core.Agent;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Decision;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * A person's side of the approval flow, until the starter's Actuator endpoint for runs awaiting approval exists:
 * {@code GET /support/approvals} lists the tool calls the agent's paused runs wait on, and
 * {@code POST /support/approvals/{runId}/{callId}} with {@code {"approve":true}} (or {@code false} and a
 * {@code "reason"}) records the decision in the run store and resumes the run to its end, answering as
 * {@code POST /support/questions} does. Delete this class once the Actuator endpoint replaces it.
 */
@RestController
@RequestMapping("/support/approvals")
class ApprovalsStopgapController {
    /** A person's decision on one tool call. */
    record Verdict(boolean approve, String reason) {}

    private final Agent agent;
    private final SupportController answers;

    ApprovalsStopgapController(Agent agent, SupportController answers) {
        this.agent = agent;
        this.answers = answers;
    }

    @GetMapping
    Flux<SupportController.Waiting> waiting() {
        RunStore store = Objects.requireNonNull(agent.runStore(),
                "the agent has no run store: set agentrt.runs.path");
        return store.runs(RunStatus.AWAITING_APPROVAL)
                .filter(run -> run.agentName().equals(agent.name()))
                .concatMap(run -> agent.pending(run.id()))
                .map(SupportController.Waiting::of);
    }

    @PostMapping("/{runId}/{callId}")
    Mono<SupportController.Answer> decide(@PathVariable String runId, @PathVariable String callId,
            @RequestBody Verdict verdict) {
        Decision decision = verdict.approve()
                ? Decision.approveOnce()
                : Decision.deny(verdict.reason() == null || verdict.reason().isBlank()
                        ? "a person denied it"
                        : verdict.reason());
        // Each durable step subscribed off the event loop: approve completes on a Reactor thread of its own.
        return SupportController.offTheEventLoop(() -> agent.approve(runId, callId, decision))
                .then(SupportController.offTheEventLoop(() -> agent.resume(runId).execute()))
                .flatMap(answers::answer);
    }
}
