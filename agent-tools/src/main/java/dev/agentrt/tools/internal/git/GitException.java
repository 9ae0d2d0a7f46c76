package dev.agentrt.tools.internal.git;

import dev.agentrt.core.ToolException;
import dev.agentrt.core.tool.ToolErrorKind;

/**
 * A failure of a git call that the model can understand, with the kind its result carries. Extends
 * {@link ToolException} so that the registry reports the bare message when it is thrown from
 * {@code requiredCapabilities}.
 */
final class GitException extends ToolException {
    private static final long serialVersionUID = 1L;

    private final ToolErrorKind kind;

    GitException(ToolErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    static GitException invalid(String message) {
        return new GitException(ToolErrorKind.INVALID_ARGUMENTS, message);
    }

    static GitException denied(String message) {
        return new GitException(ToolErrorKind.PERMISSION_DENIED, message);
    }

    static GitException failed(String message) {
        return new GitException(ToolErrorKind.EXECUTION_FAILED, message);
    }

    ToolErrorKind kind() {
        return kind;
    }
}
