package dev.agentrt.core;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.Objects;

/**
 * A task whose answer is a Java value: {@code agent.task(...).returning(Invoice.class)}. The model
 * is asked for JSON matching the type's JSON Schema, natively where the model supports it
 * ({@code ChatModel.supportsResponseFormat()}), otherwise through a final-answer tool whose
 * arguments are the answer. An answer that does not parse, validate or map is shown back to the
 * model once with what was wrong; a second bad answer fails with {@link StructuredOutputException}.
 *
 * <pre>{@code
 * record Invoice(String customer, List<Line> lines, double total) {}
 * Mono<Invoice> invoice = agent.task("Extract the invoice from this e-mail: " + mail)
 *         .returning(Invoice.class)
 *         .execute();
 * }</pre>
 *
 * <p>Supported types are records and classes with properties (nested, with enums, lists,
 * optionals, {@code java.time} values; see {@code TypeSchema}, strict mode), bound by the same
 * binding as tool arguments. Immutable; each execution is a new, independent run, like {@link Task}.
 *
 * @param <T> the answer's type
 */
public final class StructuredTask<T> {
    private final Task task;
    private final Class<T> type;
    private final StructuredOutput output;

    StructuredTask(Task task, Class<T> type) {
        this.task = task;
        this.type = Objects.requireNonNull(type, "type");
        this.output = new StructuredOutput(type);
    }

    /** Runs the task; emits the answer, or an error ({@link StructuredOutputException}, a budget, a model failure...). */
    public Mono<T> execute() {
        return executeForResult().map(StructuredResult::value);
    }

    /** Runs the task; emits the answer with the run that produced it. */
    public Mono<StructuredResult<T>> executeForResult() {
        Object @Nullable [] captured = TaskRun.captureContexts(task.agent());
        if (task.agent().runStore() != null) {
            return Mono.defer(() -> TaskRun.durable(task.agent(), task, null, output, captured)
                    .flatMap(run -> run.run().map(r -> new StructuredResult<>(type.cast(run.structuredValue()), r))));
        }
        return Mono.defer(() -> {
            TaskRun run = new TaskRun(task.agent(), task, null, output, captured);
            return run.run().map(r -> new StructuredResult<>(type.cast(run.structuredValue()), r));
        });
    }

    /** Runs the task and emits its events; the {@link AgentEvent.Completed} result's text is the answer's JSON. */
    public Flux<AgentEvent> stream() {
        return task.stream(output);
    }

    /** Blocks until the task ends. For programs' main methods and tests, never inside a reactive chain. */
    public T executeBlocking() {
        T value = execute().block();
        if (value == null) {
            throw new AgentException("task produced no result");
        }
        return value;
    }
}
