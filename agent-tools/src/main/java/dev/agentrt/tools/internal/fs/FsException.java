package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.tool.ToolErrorKind;

/**
 * A failure of a file-system call that the model can understand, with the kind its result carries.
 * Extends {@link ToolException} so that the registry reports the bare message when it is thrown
 * from {@code requiredCapabilities}.
 */
final class FsException extends ToolException {
    private final ToolErrorKind kind;

    FsException(ToolErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    static FsException invalid(String message) {
        return new FsException(ToolErrorKind.INVALID_ARGUMENTS, message);
    }

    static FsException denied(String message) {
        return new FsException(ToolErrorKind.PERMISSION_DENIED, message);
    }

    ToolErrorKind kind() {
        return kind;
    }
}
