package dev.agentrt.core.internal.binding;

import dev.agentrt.core.json.JsonValue;
import org.jspecify.annotations.Nullable;

/** Reads a non-null JSON value into a Java type. Immutable and thread-safe. */
@FunctionalInterface
public interface Reader {
    /** @throws BindingException when the value does not fit the type; the message is for the model */
    @Nullable
    Object read(JsonValue value);
}
