package dev.agentrt.sandbox;

import dev.agentrt.core.json.JsonObject;
import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Objects;

/**
 * What one {@link CodeExecutor} run produced: how it ended, what it printed, the value it returned
 * and, when the script threw, its error. Serialises to JSON and back without loss; the JSON is what
 * the model reads as the tool result.
 *
 * <pre>{@code
 * ExecutionResult r = executor.execute("javascript", "console.log('hi'); 6 * 7").block();
 * r.ok();        // true
 * r.stdout();    // "hi\n"
 * r.value();     // 42
 * }</pre>
 *
 * @param language the language the code ran as
 * @param outcome how the run ended; a thrown script error is a {@link RunOutcome.Trap}
 * @param stdout what the code printed ({@code console.log}, {@code print}), cut at the output cap
 * @param stderr what the code printed as errors ({@code console.error}), cut at the output cap
 * @param value the value of the last expression or of an explicit {@code return}, as JSON;
 *     JSON {@code null} when there was none; {@code null} when the run did not finish normally
 * @param error the script's error, when it threw
 * @param elapsed wall-clock time of the run, from the start of the code to its end
 */
public record ExecutionResult(String language, RunOutcome outcome, String stdout, String stderr,
        @Nullable JsonValue value, @Nullable ScriptError error, Duration elapsed) {

    public ExecutionResult {
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /**
     * An error the script threw (or a syntax error in it).
     *
     * @param type the error's class, e.g. {@code TypeError}, {@code ZeroDivisionError}
     * @param message the error's message
     * @param line the line of the code where it was thrown, from 1; 0 when unknown
     */
    public record ScriptError(String type, String message, int line) {
        public ScriptError {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(message, "message");
        }

        /** {@code TypeError: x is not a function (line 3)}. */
        public String describe() {
            return type + ": " + message + (line > 0 ? " (line " + line + ")" : "");
        }
    }

    /** Whether the code ran to its end without an error or a limit. */
    public boolean ok() {
        return outcome instanceof RunOutcome.Ok;
    }

    /** The JSON form, as the model reads it. */
    public JsonObject toJson() {
        var b = JsonObject.builder().put("language", language).put("outcome", outcomeName(outcome));
        switch (outcome) {
            case RunOutcome.Exit(int code) -> b.put("exitCode", code);
            case RunOutcome.Trap(String message) -> b.put("message", message);
            default -> {
            }
        }
        b.put("stdout", stdout).put("stderr", stderr);
        if (value != null) {
            b.put("value", value);
        }
        if (error != null) {
            b.put("error", JsonObject.builder()
                    .put("type", error.type())
                    .put("message", error.message())
                    .put("line", error.line())
                    .build());
        }
        return b.put("elapsedMillis", elapsed.toMillis()).build();
    }

    /** Reads the form {@link #toJson()} writes. */
    public static ExecutionResult fromJson(JsonObject json) {
        String language = json.getString("language").orElseThrow(() -> missing("language"));
        String name = json.getString("outcome").orElseThrow(() -> missing("outcome"));
        RunOutcome outcome = switch (name) {
            case "ok" -> RunOutcome.OK;
            case "timeout" -> RunOutcome.TIMEOUT;
            case "memory_limit" -> RunOutcome.MEMORY_LIMIT;
            case "output_limit" -> RunOutcome.OUTPUT_LIMIT;
            case "exit" ->
                new RunOutcome.Exit(json.getLong("exitCode").orElseThrow(() -> missing("exitCode")).intValue());
            case "trap" -> new RunOutcome.Trap(json.getString("message").orElseThrow(() -> missing("message")));
            default -> throw new IllegalArgumentException("unknown outcome '" + name + "'");
        };
        ScriptError error = json.getObject("error")
                .map(e -> new ScriptError(e.getString("type").orElseThrow(() -> missing("error.type")),
                        e.getString("message").orElseThrow(() -> missing("error.message")),
                        e.getLong("line").orElse(0L).intValue()))
                .orElse(null);
        return new ExecutionResult(language, outcome, json.getString("stdout").orElse(""),
                json.getString("stderr").orElse(""), json.get("value"), error,
                Duration.ofMillis(json.getLong("elapsedMillis").orElse(0L)));
    }

    private static String outcomeName(RunOutcome outcome) {
        return switch (outcome) {
            case RunOutcome.Ok ok -> "ok";
            case RunOutcome.Exit exit -> "exit";
            case RunOutcome.Timeout t -> "timeout";
            case RunOutcome.MemoryLimit m -> "memory_limit";
            case RunOutcome.OutputLimit o -> "output_limit";
            case RunOutcome.Trap t -> "trap";
        };
    }

    private static IllegalArgumentException missing(String member) {
        return new IllegalArgumentException("execution result JSON has no '" + member + "'");
    }
}
