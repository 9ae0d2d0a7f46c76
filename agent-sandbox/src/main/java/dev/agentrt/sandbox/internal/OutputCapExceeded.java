package dev.agentrt.sandbox.internal;

import java.io.Serial;

/** Thrown out of a guest's write to stdout or stderr past the cap; never reaches a caller of the sandbox. */
final class OutputCapExceeded extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    OutputCapExceeded(int cap) {
        super("output past " + cap + " bytes", null, false, false);
    }
}
