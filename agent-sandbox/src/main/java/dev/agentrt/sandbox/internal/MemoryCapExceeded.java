package dev.agentrt.sandbox.internal;

import java.io.Serial;

/** Thrown out of a guest's {@code memory.grow} past the cap; never reaches a caller of the sandbox. */
final class MemoryCapExceeded extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    MemoryCapExceeded(long wantedPages, int capPages) {
        super("memory.grow to " + wantedPages + " pages refused, the cap is " + capPages + " pages", null, false,
                false);
    }
}
