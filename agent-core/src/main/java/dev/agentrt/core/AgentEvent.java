package dev.agentrt.core;

import dev.agentrt.core.model.FinishReason;
import dev.agentrt.core.model.ToolCall;
import dev.agentrt.core.model.Usage;
import dev.agentrt.core.security.Capability;
import dev.agentrt.core.security.Decision;
import dev.agentrt.core.security.Principal;
import dev.agentrt.core.tool.ToolErrorKind;
import org.jspecify.annotations.Nullable;

import java.util.List;
import java.util.Objects;

/**
 * What happens during a task, in order: {@code task.stream()} emits these, and listeners
 * registered on the agent receive them. Every capability decision is an event, so an application
 * can audit what an agent was allowed and refused.
 *
 * <pre>{@code
 * task.stream().subscribe(e -> {
 *     switch (e) {
 *         case AgentEvent.TextDelta d -> System.out.print(d.text());
 *         case AgentEvent.ModelRetry r -> System.out.println(" [interrupted, asking again]");
 *         case AgentEvent.PermissionDenied d -> log.warn("denied {}", d.missing());
 *         default -> {}
 *     }
 * });
 * }</pre>
 *
 * <p>Events are immutable values and round-trip through JSON ({@link dev.agentrt.core.run.AgentJson}).
 */
public sealed interface AgentEvent {
    /** The task this event belongs to. */
    String taskId();

    /** The task began. */
    record Started(String taskId, String input, Principal principal) implements AgentEvent {
        public Started {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(input, "input");
            Objects.requireNonNull(principal, "principal");
        }
    }

    /**
     * Step {@code step} (from 1) asks the model, sending so many messages and tools. After a
     * {@link ModelRetry} the same step asks again: one event per model call.
     */
    record ModelRequest(String taskId, int step, int messages, int tools) implements AgentEvent {
        public ModelRequest {
            Objects.requireNonNull(taskId, "taskId");
        }
    }

    /**
     * A piece of the model's text as it streams. The text of a step's reply is the concatenation of
     * its deltas since the step's last {@link ModelRequest}: a {@link ModelRetry} voids the deltas
     * before it.
     */
    record TextDelta(String taskId, int step, String text) implements AgentEvent {
        public TextDelta {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A piece of the model's readable reasoning as it streams, from models that think (see
     * {@link dev.agentrt.core.model.Reasoning}); for display. Like {@link TextDelta}s, the pieces
     * before a {@link ModelRetry} are void. The reasoning itself is kept in the step's assistant
     * message.
     */
    record ReasoningDelta(String taskId, int step, String text) implements AgentEvent {
        public ReasoningDelta {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * The model call of step {@code step} failed in a way that may pass (a connection reset in the
     * middle of the reply, an overloaded provider) and will be made again with the same conversation
     * after {@code delayNanos}; a {@link ModelRequest} for the same step follows. What the failed call
     * streamed is void: a UI that showed its {@link TextDelta}s discards them (clears the step's
     * partial reply) and shows the new ones. No tool call of the failed reply ran: tools run only
     * from a complete reply. Retries are bounded by the agent's {@code modelRetry} policy and the
     * task's budgets; the step keeps its number.
     *
     * @param retry which retry this is, from 1
     * @param status the failure's HTTP status (a reply that broke after it started has its 200); 0 when
     *     there was no HTTP response
     * @param requestId the provider's request id of the failed call, when there was one
     * @param message why the call failed
     * @param delayNanos the wait before the call is made again
     */
    record ModelRetry(String taskId, int step, int retry, int status, @Nullable String requestId, String message,
            long delayNanos) implements AgentEvent {
        public ModelRetry {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(message, "message");
            if (retry < 1) {
                throw new IllegalArgumentException("retry counts from 1, was " + retry);
            }
            if (delayNanos < 0) {
                throw new IllegalArgumentException("delayNanos must not be negative, was " + delayNanos);
            }
        }
    }

    /**
     * A model call of step {@code step} finished its reply: why it ended and what it used. Comes after the
     * call's deltas and before its tool calls run; a call that fails has a {@link ModelRetry} or the task's
     * {@link Failed} instead.
     *
     * @param responseId the id the provider gave the reply, when it gave one
     * @param responseModel the model that wrote the reply as the provider names it (perhaps a dated version of
     *     the model the request named), when it said
     */
    record ModelResponse(String taskId, int step, FinishReason finishReason, Usage usage,
            @Nullable String responseId, @Nullable String responseModel) implements AgentEvent {
        public ModelResponse {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(finishReason, "finishReason");
            Objects.requireNonNull(usage, "usage");
        }

        /** A reply whose provider named neither the reply nor its model. */
        public ModelResponse(String taskId, int step, FinishReason finishReason, Usage usage) {
            this(taskId, step, finishReason, usage, null, null);
        }
    }

    /**
     * The model asked for a tool call, or, when {@code parentCallId} is not null, the tool of that call called
     * another tool ({@link dev.agentrt.core.tool.ToolContext#callTool}, code mode). The later events of the call
     * carry the same {@code call}, whose id is unique in the task (a nested call's is its parent's id, {@code /}
     * and a number).
     *
     * @param parentCallId the id of the call whose tool made this call, or null for a call of the model
     */
    record ToolCallRequested(String taskId, int step, ToolCall call, @Nullable String parentCallId)
            implements
                AgentEvent {
        public ToolCallRequested {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(call, "call");
        }

        /** A call of the model. */
        public ToolCallRequested(String taskId, int step, ToolCall call) {
            this(taskId, step, call, null);
        }

        /** Whether another tool made this call, rather than the model. */
        public boolean nested() {
            return parentCallId != null;
        }
    }

    /** A call's capabilities were all granted. */
    record PermissionGranted(String taskId, int step, ToolCall call, List<Capability> capabilities)
            implements
                AgentEvent {
        public PermissionGranted {
            capabilities = List.copyOf(capabilities);
        }
    }

    /** A call needed capabilities the task lacks; the model is told why. */
    record PermissionDenied(String taskId, int step, ToolCall call, List<Capability> missing, String reason)
            implements
                AgentEvent {
        public PermissionDenied {
            missing = List.copyOf(missing);
        }
    }

    /** The approval handler is being asked about missing capabilities. */
    record ApprovalRequested(String taskId, int step, ToolCall call, List<Capability> missing)
            implements
                AgentEvent {
        public ApprovalRequested {
            missing = List.copyOf(missing);
        }
    }

    /** The approval handler answered. */
    record ApprovalDecided(String taskId, int step, ToolCall call, Decision decision) implements AgentEvent {
        public ApprovalDecided {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(decision, "decision");
        }
    }

    /**
     * A running tool call reported how far it got (an MCP server's progress notifications, a tool's
     * own {@link dev.agentrt.core.tool.ToolContext#progress}). {@code progress} grows from one report
     * of a call to the next; {@code total} is null when unknown; {@code message} may be null.
     */
    record ToolProgress(String taskId, int step, ToolCall call, double progress, @Nullable Double total,
            @Nullable String message) implements AgentEvent {
        public ToolProgress {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(call, "call");
            if (!Double.isFinite(progress) || (total != null && !Double.isFinite(total))) {
                throw new IllegalArgumentException("progress and total must be finite numbers");
            }
        }
    }

    /**
     * An event of a sub-agent ({@code Agent.asTool}) that the tool call {@code call} of step {@code step} runs: the
     * sub-agent's own run, with its own task id and steps, nested under the call that started it. A sub-agent of a
     * sub-agent nests one level deeper, so the events of a run form a tree: a UI shows {@code event} as a branch of
     * {@code call}.
     *
     * @param agent the sub-agent's name
     */
    record SubAgentEvent(String taskId, int step, ToolCall call, String agent, AgentEvent event) implements AgentEvent {
        public SubAgentEvent {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(event, "event");
        }

        /** The innermost event: what happened, however deep the sub-agent that did it. */
        public AgentEvent innermost() {
            AgentEvent e = event;
            while (e instanceof SubAgentEvent nested) {
                e = nested.event;
            }
            return e;
        }
    }

    /** A tool call succeeded. */
    record ToolCallCompleted(String taskId, int step, ToolCall call, String result, long durationNanos)
            implements
                AgentEvent {}

    /** A tool call ended in an error result (the model reads {@code message}). */
    record ToolCallFailed(String taskId, int step, ToolCall call, ToolErrorKind kind, String message,
            long durationNanos) implements AgentEvent {
        public ToolCallFailed {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(call, "call");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /** A step ended: its model call and all its tool calls are done. */
    record StepDone(String taskId, int step, Usage stepUsage, Usage totalUsage) implements AgentEvent {
        public StepDone {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(stepUsage, "stepUsage");
            Objects.requireNonNull(totalUsage, "totalUsage");
        }
    }

    /** The task ended with a final answer. */
    record Completed(String taskId, AgentResult result) implements AgentEvent {
        public Completed {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * The task ended without a final answer: a budget ran out, the model failed, or it was cancelled.
     *
     * @param errorType the exception's simple class name ({@code BudgetExceededException}, {@code ModelException}, ...)
     * @param partial the run so far, with its outcome
     */
    record Failed(String taskId, String errorType, String message, AgentResult partial) implements AgentEvent {
        public Failed {
            Objects.requireNonNull(taskId, "taskId");
            Objects.requireNonNull(errorType, "errorType");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(partial, "partial");
        }
    }

    /**
     * Receives every event of every task of an agent. Called on the task's thread: must not block. An exception
     * a listener throws is logged and the task goes on.
     *
     * <p>A listener that keeps the caller's ambient context (a tracing integration's current span, say) also
     * implements {@link #captureContext()}: the run hands what it captured back with the run's {@link Started}
     * event ({@link #onStarted}), so the run's telemetry has the caller's span as its parent even when the run
     * starts on another thread.
     */
    @FunctionalInterface
    interface Listener {
        void onEvent(AgentEvent event);

        /**
         * Called on the thread that calls {@code Task.execute()}, {@code Task.stream()} or their structured and
         * blocking forms, when the task's {@code Mono} or {@code Flux} is made (before anything runs): the
         * caller's ambient context this listener wants back in {@link #onStarted}, or {@code null}. Must be
         * fast and must not block; an exception is logged and counts as {@code null}. Default: {@code null}.
         */
        default @Nullable Object captureContext() {
            return null;
        }

        /**
         * Receives a run's {@link Started} event (instead of {@link #onEvent}) with what {@link #captureContext()}
         * returned when the run's {@code Mono} or {@code Flux} was made; each subscription is a run of its own
         * and gets the same value. Called on the thread that subscribed. Default: {@code onEvent(started)}.
         */
        default void onStarted(Started started, @Nullable Object captured) {
            onEvent(started);
        }

        /**
         * Called on the thread that starts tool call {@code call} of task {@code taskId}, after its
         * {@link ToolCallRequested} event: around the tool's {@code invoke} and the subscription to the {@code Mono}
         * it returns (for a tool that says it blocks, on the {@code AgentSchedulers.blocking()} thread that runs
         * it). What the listener makes current there (a tracing integration's span for the call) is what the
         * tool's own code sees while it starts; a blocking tool's whole body runs in it. The run closes the
         * returned scope on the same thread as soon as the subscription returns. Must be fast and must not block;
         * an exception is logged and counts as {@code null}. Default: {@code null}, nothing to enter.
         */
        default @Nullable Scope enterTool(String taskId, ToolCall call) {
            return null;
        }

        /**
         * The trace of tool call {@code call} of task {@code taskId}, for a tool that carries the call to another
         * process ({@link dev.agentrt.core.tool.ToolContext#trace()}): a tracing integration adds the tool's
         * attributes to the call's span and passes on its context. Called when the tool asks, on its thread; must
         * be fast and must not block; an exception is logged and counts as {@code null}. Default: {@code null},
         * nothing to trace.
         */
        default dev.agentrt.core.tool.@Nullable ToolTrace traceTool(String taskId, ToolCall call) {
            return null;
        }

        /** What {@link #enterTool} entered; closing it restores what was current before. */
        @FunctionalInterface
        interface Scope extends AutoCloseable {
            @Override
            void close();
        }
    }
}
