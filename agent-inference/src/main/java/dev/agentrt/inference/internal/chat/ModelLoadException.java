package dev.agentrt.inference.internal.chat;

import dev.agentrt.core.ModelException;
import org.jspecify.annotations.Nullable;

/** A model directory that cannot be used; the message names the file and what is wrong with it. */
public final class ModelLoadException extends ModelException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message, 0, null, false, null);
    }

    public ModelLoadException(String message, @Nullable Throwable cause) {
        super(message, 0, null, false, cause);
    }
}
