package dev.agentrt.core;

import java.util.Objects;

/**
 * A task's answer as a Java value, with the run that produced it ({@code result.text()} is the
 * answer's JSON text).
 *
 * @param value the answer, mapped to the requested type
 * @param result the run: transcript, steps, usage
 * @param <T> the requested type
 */
public record StructuredResult<T>(T value, AgentResult result) {
    public StructuredResult {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(result, "result");
    }
}
