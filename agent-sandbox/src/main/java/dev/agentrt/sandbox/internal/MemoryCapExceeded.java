package dev.agentrt.sandbox.internal;

import java.io.Serial;

/**
 * Thrown out of a guest's {@code memory.grow} past the cap, or out of instantiation when the guest
 * needs more initial memory than the cap (an interpreter that cannot even start); ends as
 * {@code MEMORY_LIMIT}, never reaches a caller of the sandbox.
 */
public final class MemoryCapExceeded extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    MemoryCapExceeded(String message) {
        super(message, null, false, false);
    }

    static MemoryCapExceeded grow(long wantedPages, int capPages) {
        return new MemoryCapExceeded(
                "memory.grow to " + wantedPages + " pages refused, the cap is " + capPages + " pages");
    }

    static MemoryCapExceeded initial(int initialPages, int capPages) {
        return new MemoryCapExceeded("the guest needs " + initialPages + " pages (" + (initialPages * 64L)
                + " KiB) of memory to start, the cap is " + capPages + " pages");
    }
}
