package dev.agentrt.core.tool;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The policy one task's tool calls run under: who asks, what is granted, who approves, how long a
 * call may take, where events go. The agent makes one per task; use it directly only to drive a
 * {@link ToolRegistry} without an agent.
 *
 * <p>Thread-safe: the calls of one step run concurrently and may each extend the task's grants
 * through an approval.
 */
public final class ToolExecution {
    private final String taskId;
    private final Principal principal;
    private final @Nullable ApprovalHandler approvals;
    private final Duration timeout;
    private final @Nullable Consumer<AgentEvent> events;
    private final ToolAccess access;
    private volatile Grants grants;
    private volatile int step = 1;

    public ToolExecution(String taskId, Principal principal, Grants grants, @Nullable ApprovalHandler approvals,
            Duration timeout, @Nullable Consumer<AgentEvent> events, ToolAccess access) {
        this.taskId = Objects.requireNonNull(taskId, "taskId");
        this.principal = Objects.requireNonNull(principal, "principal");
        this.grants = Objects.requireNonNull(grants, "grants");
        this.approvals = approvals;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.events = events;
        this.access = Objects.requireNonNull(access, "access");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /** A policy with the given grants, no approvals, a 30 s timeout and no events. */
    public static ToolExecution of(String taskId, Principal principal, Grants grants) {
        return new ToolExecution(taskId, principal, grants, null, Duration.ofSeconds(30), null, ToolAccess.ALL);
    }

    public String taskId() {
        return taskId;
    }

    public Principal principal() {
        return principal;
    }

    public Grants grants() {
        return grants;
    }

    public @Nullable ApprovalHandler approvals() {
        return approvals;
    }

    public Duration timeout() {
        return timeout;
    }

    public ToolAccess access() {
        return access;
    }

    public int step() {
        return step;
    }

    /** Sets the step number events carry. Called by the agent loop between steps. */
    public void step(int step) {
        this.step = step;
    }

    /** Whether anyone listens; the registry builds no event objects otherwise. */
    public boolean hasEvents() {
        return events != null;
    }

    public void emit(AgentEvent event) {
        Consumer<AgentEvent> sink = events;
        if (sink != null) {
            sink.accept(event);
        }
    }

    /** Adds capabilities an approver granted for the rest of the task. */
    public synchronized void extend(List<Capability> approved) {
        grants = grants.with(approved);
    }
}
