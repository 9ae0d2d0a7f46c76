package dev.agentrt.core.internal.fs;

import java.io.IOException;

/**
 * A refusal of the confinement layer, with a message written for a model or a script: either the
 * request is {@linkplain #denied() denied} (a symbolic link, a path that leaves the root, a file that
 * changed while it was opened; not worth retrying) or it is invalid (no such file, not a directory).
 */
public final class ConfinementException extends IOException {
    private static final long serialVersionUID = 1L;

    private final boolean denied;

    private ConfinementException(String message, boolean denied) {
        super(message);
        this.denied = denied;
    }

    /** A request that would leave the confinement. */
    public static ConfinementException denied(String message) {
        return new ConfinementException(message, true);
    }

    /** A request that names something missing or of the wrong kind. */
    public static ConfinementException invalid(String message) {
        return new ConfinementException(message, false);
    }

    /** Whether the request would have left the confinement (as opposed to naming something missing). */
    public boolean denied() {
        return denied;
    }
}
