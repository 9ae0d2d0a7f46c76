package dev.agentrt.core.tool;

import dev.agentrt.core.AgentEvent;
import dev.agentrt.core.security.ApprovalHandler;
import dev.agentrt.core.security.Grants;
import dev.agentrt.core.security.Principal;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The policy a task's tool calls run under: who asks, what is granted, who approves what is missing, how
 * long a call may take, which tools the caller sees, and who listens to the calls' events. The agent makes
 * one per task; build one yourself only to drive a {@link ToolRegistry} without an agent:
 *
 * <pre>{@code
 * ToolExecution policy = ToolExecution.builder("t1", Principal.ANONYMOUS, Grants.of(Capability.fileRead(docs)))
 *         .timeout(Duration.ofSeconds(10))
 *         .events(event -> log.info("{}", event))
 *         .build();
 * ToolResult r = registry.execute(call, policy).block();
 * }</pre>
 *
 * <p>When you drive a registry yourself, each {@link ToolRegistry#execute} call starts from these grants:
 * an approval "for the task" lasts for that call, and events carry step 1. Inside an agent the task keeps
 * what approvers grant and numbers its steps.
 *
 * <p>Immutable and thread-safe; {@link #toBuilder()} makes variants.
 */
public final class ToolExecution {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** The default of {@link #maxNestedCalls()}. */
    public static final int DEFAULT_MAX_NESTED_CALLS = 50;

    private final String taskId;
    private final Principal principal;
    private final Grants grants;
    private final @Nullable ApprovalHandler approvals;
    private final Duration timeout;
    private final @Nullable Consumer<AgentEvent> events;
    private final ToolAccess access;
    private final int maxNestedCalls;
    private final ServerTelemetry.@Nullable Call servedCall;

    /**
     * A policy with every setting; {@code approvals} and {@code events} may be {@code null} (no approver, no
     * listener). Fails with {@code IllegalArgumentException} unless {@code timeout} is positive.
     */
    public ToolExecution(String taskId, Principal principal, Grants grants, @Nullable ApprovalHandler approvals,
            Duration timeout, @Nullable Consumer<AgentEvent> events, ToolAccess access) {
        this(taskId, principal, grants, approvals, timeout, events, access, DEFAULT_MAX_NESTED_CALLS, null);
    }

    private ToolExecution(String taskId, Principal principal, Grants grants, @Nullable ApprovalHandler approvals,
            Duration timeout, @Nullable Consumer<AgentEvent> events, ToolAccess access, int maxNestedCalls,
            ServerTelemetry.@Nullable Call servedCall) {
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
        if (maxNestedCalls < 0) {
            throw new IllegalArgumentException("maxNestedCalls must not be negative, was " + maxNestedCalls);
        }
        this.maxNestedCalls = maxNestedCalls;
        this.servedCall = servedCall;
    }

    /** A policy with the given grants, no approvals, a 30 s timeout, every tool visible and no events. */
    public static ToolExecution of(String taskId, Principal principal, Grants grants) {
        return new ToolExecution(taskId, principal, grants, null, DEFAULT_TIMEOUT, null, ToolAccess.ALL);
    }

    /** Starts a policy with the defaults of {@link #of}. */
    public static Builder builder(String taskId, Principal principal, Grants grants) {
        return new Builder(of(taskId, principal, grants));
    }

    /** A builder that starts from this policy. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The task the calls belong to; events and tools see it. */
    public String taskId() {
        return taskId;
    }

    /** Who the calls run for. */
    public Principal principal() {
        return principal;
    }

    /** What the calls may do before any approval. */
    public Grants grants() {
        return grants;
    }

    /** Who decides on capabilities the grants lack; {@code null} denies them. */
    public @Nullable ApprovalHandler approvals() {
        return approvals;
    }

    /** How long one call may take. */
    public Duration timeout() {
        return timeout;
    }

    /** Which tools the caller sees and may call. */
    public ToolAccess access() {
        return access;
    }

    /**
     * How many other tools one call's tool may call through {@link ToolContext#callTool} (code mode); the calls
     * past it fail with an error result. 50 by default; 0 turns calls from tools off.
     */
    public int maxNestedCalls() {
        return maxNestedCalls;
    }

    /** Who receives the calls' events (requested, granted, denied, completed…); {@code null} if nobody. */
    public @Nullable Consumer<AgentEvent> events() {
        return events;
    }

    /**
     * The record of the request these calls answer for a server's client ({@link ServerTelemetry}), or null: it is
     * current while each call's tool starts, and a tool's {@link ToolContext#trace()} adds to it.
     */
    public ServerTelemetry.@Nullable Call servedCall() {
        return servedCall;
    }

    @Override
    public String toString() {
        return "ToolExecution[taskId=" + taskId + ", principal=" + principal + ", grants=" + grants + ", timeout="
                + timeout + "]";
    }

    /** Changes one setting of a policy at a time. Not thread-safe; {@link #build()} copies. */
    public static final class Builder {
        private final String taskId;
        private Principal principal;
        private Grants grants;
        private @Nullable ApprovalHandler approvals;
        private Duration timeout;
        private @Nullable Consumer<AgentEvent> events;
        private ToolAccess access;
        private int maxNestedCalls;
        private ServerTelemetry.@Nullable Call servedCall;

        private Builder(ToolExecution from) {
            this.taskId = from.taskId;
            this.principal = from.principal;
            this.grants = from.grants;
            this.approvals = from.approvals;
            this.timeout = from.timeout;
            this.events = from.events;
            this.access = from.access;
            this.maxNestedCalls = from.maxNestedCalls;
            this.servedCall = from.servedCall;
        }

        public Builder principal(Principal principal) {
            this.principal = Objects.requireNonNull(principal, "principal");
            return this;
        }

        public Builder grants(Grants grants) {
            this.grants = Objects.requireNonNull(grants, "grants");
            return this;
        }

        /** Who decides on missing capabilities; {@code null} (the default) denies them. */
        public Builder approvals(@Nullable ApprovalHandler approvals) {
            this.approvals = approvals;
            return this;
        }

        /** How long one call may take; 30 s by default. Checked to be positive by {@link #build()}. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Who receives the calls' events; nobody ({@code null}) by default. Called on the calls' threads. */
        public Builder events(@Nullable Consumer<AgentEvent> events) {
            this.events = events;
            return this;
        }

        /** Which tools the caller sees; all by default. */
        public Builder access(ToolAccess access) {
            this.access = Objects.requireNonNull(access, "access");
            return this;
        }

        /**
         * How many other tools one call's tool may call ({@link ToolContext#callTool}); 50 by default. Checked to
         * be at least 0 by {@link #build()}.
         */
        public Builder maxNestedCalls(int max) {
            this.maxNestedCalls = max;
            return this;
        }

        /**
         * The record of the request a server answers with these calls ({@link ServerTelemetry#start}); none by
         * default. The server ends it.
         */
        public Builder servedCall(ServerTelemetry.@Nullable Call call) {
            this.servedCall = call;
            return this;
        }

        public ToolExecution build() {
            return new ToolExecution(taskId, principal, grants, approvals, timeout, events, access, maxNestedCalls,
                    servedCall);
        }
    }
}
