package dev.agentrt.core.model;

import org.jspecify.annotations.Nullable;

import java.util.function.Function;

/**
 * Makes the models of one name prefix for {@link ChatModels#byName}: a {@link java.util.ServiceLoader} service, so
 * that a module agent-core cannot depend on adds its models by name ({@code agent-inference} answers
 * {@code local:<path>}). Register an implementation in {@code META-INF/services/dev.agentrt.core.model.ChatModelProvider}.
 * A provider may not claim a prefix built into {@link ChatModels}, nor one another provider claims.
 */
public interface ChatModelProvider {
    /** The prefix this provider answers, without the colon: lower-case letters, digits and {@code -}. */
    String prefix();

    /**
     * The model {@code model} names (what follows the prefix and its colon, never blank). Reads settings only
     * through {@code env} (a variable's value, or null when it is unset). Fails with an
     * {@code IllegalArgumentException} or {@code IllegalStateException} whose message says what to change.
     */
    ChatModel create(String model, Function<String, @Nullable String> env);
}
