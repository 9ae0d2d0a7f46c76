package dev.agentrt.spring.actuate;

import dev.agentrt.core.Agent;
import dev.agentrt.core.AgentSchedulers;
import dev.agentrt.core.run.PendingCall;
import dev.agentrt.core.run.RunEntry;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStatus;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreException;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The {@code agentrtapprovals} Actuator endpoint: the runs of the application's agent that wait for a person's
 * approval, and a decision on each of their tool calls.
 *
 * <pre>
 * GET  /actuator/agentrtapprovals                      the runs awaiting approval, with their calls
 * POST /actuator/agentrtapprovals/{runId}/{callId}     {"decision": "approve" | "approve-for-task" | "deny",
 *                                                       "reason": "why (shown to the model on a denial)"}
 * </pre>
 *
 * <p>A listed call shows its tool, its arguments (secrets replaced by {@code [REDACTED]}, cut at
 * {@code agentrt.actuator.approvals.max-argument-chars}), the capabilities it needs and the agent lacks, and why it
 * waits. Deciding the last call a run waits on resumes the run in this process, in the background (unless
 * {@code agentrt.actuator.approvals.resume=false}); the answer says whether it did.
 *
 * <p>Answers: 200 with the listing or the decision; 400 for a decision that is not one of the three, or a call that
 * was decided already, or a run that does not wait for approval; 404 for a run or call that is not this agent's to
 * decide; 409 when another process holds the run (it is being resumed or decided now); 503 when the agent has no
 * run store. Every operation first requires an authenticated principal (401 without one, anonymous included) holding
 * the role {@code agentrt.actuator.approvals.role} (403 without it). The check is the endpoint's own, so it holds
 * whatever the application's security filter chains permit for the path, and over JMX (no principal: 401);
 * authentication itself (HTTP Basic, a session, a token) is the application's chain's. Exists only with Spring
 * Security on the class path (see {@link AgentrtApprovalsAutoConfiguration}).
 *
 * <p>Thread-safe; every operation is non-blocking. Runs it resumed and that are still going are cancelled when the
 * application context closes (a durable run resumes later from its journal).
 */
@Endpoint(id = AgentrtApprovalsEndpoint.ID)
public final class AgentrtApprovalsEndpoint implements DisposableBean {
    /** The endpoint's id: its path below the Actuator base path, and its name in {@code management.*} properties. */
    public static final String ID = "agentrtapprovals";

    private static final Logger log = LoggerFactory.getLogger(AgentrtApprovalsEndpoint.class);

    private final Agent agent;
    private final String role;
    private final boolean resume;
    private final int maxChars;
    private final Disposable.Composite resumed = Disposables.composite();

    AgentrtApprovalsEndpoint(Agent agent, AgentrtActuatorProperties.Approvals properties) {
        this.agent = Objects.requireNonNull(agent, "agent");
        this.role = properties.getRole();
        this.resume = properties.isResume();
        this.maxChars = properties.getMaxArgumentChars();
    }

    /**
     * The runs of this agent awaiting approval, oldest first, each with the calls that still wait for a decision (a
     * run whose calls are all decided is not listed: it waits for its resume).
     */
    @ReadOperation
    public Mono<WebEndpointResponse<Object>> awaiting(SecurityContext security) {
        WebEndpointResponse<Object> refused = refuse(security);
        if (refused != null) {
            return Mono.just(refused);
        }
        RunStore store = agent.runStore();
        if (store == null) {
            return Mono.just(noStore());
        }
        return store.runs(RunStatus.AWAITING_APPROVAL)
                .filter(run -> run.agentName().equals(agent.name()))
                .concatMap(run -> agent.pending(run.id())
                        .filter(p -> p.kind() == PendingCall.Kind.APPROVAL)
                        .map(this::call)
                        .collectList()
                        // A run whose calls are all decided waits for its resume, not for a person.
                        .filter(calls -> !calls.isEmpty())
                        .map(calls -> awaitingRun(run, calls)))
                .collectList()
                .map(runs -> new WebEndpointResponse<Object>(new Listing(runs)))
                // The store completes on a Reactor thread; a servlet container's hand-back of the answer takes locks.
                .publishOn(AgentSchedulers.blocking());
    }

    /**
     * Decides a call a run waits on: {@code approve} (this call), {@code approve-for-task} (the missing capabilities
     * for the rest of the task) or {@code deny} (with {@code reason}, which the model reads).
     */
    @WriteOperation
    public Mono<WebEndpointResponse<Object>> decide(SecurityContext security, @Selector String runId,
            @Selector String callId, String decision, @Nullable String reason) {
        WebEndpointResponse<Object> refused = refuse(security);
        if (refused != null) {
            return Mono.just(refused);
        }
        RunStore store = agent.runStore();
        if (store == null) {
            return Mono.just(noStore());
        }
        String approver = Objects.requireNonNull(security.getPrincipal()).getName();
        Decision chosen = switch (decision.strip().toLowerCase(Locale.ROOT)) {
            case "approve" -> Decision.approveOnce();
            case "approve-for-task" -> Decision.approveForTask();
            case "deny" -> Decision.deny(reason == null || reason.isBlank() ? "denied by " + approver : reason);
            default -> null;
        };
        if (chosen == null) {
            return Mono.just(problem(WebEndpointResponse.STATUS_BAD_REQUEST, "decision must be approve,"
                    + " approve-for-task or deny, was '" + Scrubbed.text(decision, 40) + "'"));
        }
        return store.find(runId)
                .flatMap(run -> decide(store, run, callId, chosen, approver))
                .switchIfEmpty(Mono.fromSupplier(() -> unknownRun(runId)))
                .onErrorResume(RunStoreException.UnknownRun.class, e -> Mono.just(unknownRun(runId)))
                .onErrorResume(RunStoreException.RunLeased.class, e -> Mono.just(problem(409, "run \"" + runId
                        + "\" is held by another process now (being resumed or decided); try again")))
                .onErrorResume(RunStoreException.InvalidState.class, e -> Mono.just(problem(
                        WebEndpointResponse.STATUS_BAD_REQUEST, e.getMessage())))
                // The store completes on a Reactor thread; a servlet container's hand-back of the answer takes locks.
                .publishOn(AgentSchedulers.blocking());
    }

    private Mono<WebEndpointResponse<Object>> decide(RunStore store, RunRecord run, String callId, Decision decision,
            String approver) {
        if (!run.agentName().equals(agent.name())) {
            return Mono.just(problem(WebEndpointResponse.STATUS_NOT_FOUND, "run \"" + run.id() + "\" belongs to the"
                    + " agent \"" + run.agentName() + "\", not to this application's agent \"" + agent.name() + "\""));
        }
        if (run.status() != RunStatus.AWAITING_APPROVAL) {
            return Mono.just(problem(WebEndpointResponse.STATUS_BAD_REQUEST, "run \"" + run.id() + "\" is "
                    + run.status() + ", not awaiting approval: nothing was recorded"));
        }
        return agent.pending(run.id())
                .any(p -> p.kind() == PendingCall.Kind.APPROVAL && p.call().id().equals(callId))
                .flatMap(waits -> waits
                        ? agent.approve(run.id(), callId, decision)
                                .then(afterDecision(run.id(), callId, decision,
                                        approver))
                        : notWaiting(store, run.id(), callId));
    }

    /** Why a call is not waiting: decided already (400), or never a call of this run's open step (404). */
    private Mono<WebEndpointResponse<Object>> notWaiting(RunStore store, String runId, String callId) {
        return store.journal(runId, 1)
                .filter(e -> e.entry() instanceof RunEntry.Decided d && d.callId().equals(callId))
                .next()
                .map(e -> problem(WebEndpointResponse.STATUS_BAD_REQUEST, "call \"" + callId + "\" of run \"" + runId
                        + "\" was decided already (" + ((RunEntry.Decided) e.entry()).decision().kind()
                        + "): nothing was recorded"))
                .switchIfEmpty(Mono.fromSupplier(() -> problem(WebEndpointResponse.STATUS_NOT_FOUND, "run \"" + runId
                        + "\" has no call \"" + callId + "\" awaiting approval")));
    }

    private Mono<WebEndpointResponse<Object>> afterDecision(String runId, String callId, Decision decision,
            String approver) {
        log.info("{} decided {} for call {} of run {}", approver, decision.kind(), callId, runId);
        if (!resume) {
            return Mono.just(new WebEndpointResponse<>(new Decided(runId, callId, decision.kind().name(), false)));
        }
        return agent.pending(runId).hasElements().map(more -> {
            if (!more) {
                resumeInBackground(runId);
            }
            return new WebEndpointResponse<>(new Decided(runId, callId, decision.kind().name(), !more));
        });
    }

    private void resumeInBackground(String runId) {
        var self = new Disposable[1];
        Disposable running = agent.resume(runId)
                .execute()
                .doFinally(signal -> {
                    Disposable d = self[0];
                    if (d != null) {
                        resumed.remove(d);
                    }
                })
                .subscribe(result -> log.info("run {} resumed after its approvals ended {}", runId, result.outcome()),
                        e -> log.warn("run {} could not be resumed after its approvals: {}", runId, e.toString()));
        self[0] = running;
        if (!running.isDisposed()) {
            resumed.add(running);
        }
    }

    /** Cancels the runs this endpoint resumed that are still going; their journals keep them for a later resume. */
    @Override
    public void destroy() {
        resumed.dispose();
    }

    private @Nullable WebEndpointResponse<Object> refuse(SecurityContext security) {
        var principal = security.getPrincipal();
        if (principal == null || principal instanceof AnonymousAuthenticationToken) {
            return problem(401, "authentication required: the " + ID + " endpoint answers an authenticated"
                    + " principal with the role " + role);
        }
        if (!security.isUserInRole(role)) {
            return problem(403, "the role " + role + " is required (agentrt.actuator.approvals.role)");
        }
        return null;
    }

    private Call call(PendingCall pending) {
        return new Call(pending.call().id(), pending.call().name(), Scrubbed.text(pending.call().arguments(),
                maxChars), pending.missing().stream().map(Capability::describe).toList(), pending.text());
    }

    private AwaitingRun awaitingRun(RunRecord run, List<Call> calls) {
        return new AwaitingRun(run.id(), run.agentName(), run.principal().id(), Scrubbed.text(run.input(), maxChars),
                run.created(), run.updated(), calls);
    }

    private static WebEndpointResponse<Object> unknownRun(String runId) {
        return problem(WebEndpointResponse.STATUS_NOT_FOUND, "no run with id \"" + runId + "\" is in the run store");
    }

    private static WebEndpointResponse<Object> noStore() {
        return problem(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, "the agent has no run store, so no run can"
                + " wait for approval: give it one (Agent.Builder.runStore, or the agentrt.runs properties)");
    }

    private static WebEndpointResponse<Object> problem(int status, String message) {
        return new WebEndpointResponse<>(new Problem(status, message), status);
    }

    /** What {@link #awaiting} answers. */
    public record Listing(List<AwaitingRun> runs) {}

    /**
     * A run awaiting approval.
     *
     * @param runId the run's id
     * @param agent the agent that runs it
     * @param principal on whose behalf it acts
     * @param input the task's input, scrubbed and cut
     * @param created when the run started
     * @param since when it paused (its last change)
     * @param calls the calls that wait for a decision
     */
    public record AwaitingRun(String runId, String agent, String principal, String input, Instant created,
            Instant since, List<Call> calls) {}

    /**
     * A tool call awaiting approval.
     *
     * @param callId the call's id, to decide it
     * @param tool the tool's name
     * @param arguments its JSON arguments, scrubbed of secrets and cut
     * @param missing the capabilities it needs and the task lacks, as {@code Capability.describe()} prints them
     * @param reason why it waits
     */
    public record Call(String callId, String tool, String arguments, List<String> missing, String reason) {}

    /** What {@link #decide} answers: the decision recorded and whether the run was resumed. */
    public record Decided(String runId, String callId, String decision, boolean resumed) {}

    /** An error answer. */
    public record Problem(int status, String error) {}
}
