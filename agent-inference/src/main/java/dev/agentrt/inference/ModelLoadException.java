package dev.agentrt.inference;

import dev.agentrt.core.ModelException;
import org.jspecify.annotations.Nullable;

/**
 * A local model that cannot be loaded: its directory, a file in it or the graph is missing or not what
 * the model needs. The message names the file and what is wrong with it; retrying does not help
 * ({@link #isRetryable()} is {@code false}).
 *
 * <pre>{@code
 * try {
 *     model = LocalChatModel.builder().modelPath(dir).build();
 * } catch (ModelLoadException e) {
 *     System.err.println("cannot use " + dir + ": " + e.getMessage());
 * }
 * }</pre>
 *
 * <p>Immutable once thrown.
 */
public final class ModelLoadException extends ModelException {
    private static final long serialVersionUID = 1L;

    /** A load failure described by {@code message}. */
    public ModelLoadException(String message) {
        super(message, 0, null, false, null);
    }

    /** A load failure described by {@code message}, caused by {@code cause}. */
    public ModelLoadException(String message, @Nullable Throwable cause) {
        super(message, 0, null, false, cause);
    }
}
