package dev.agentrt.core.internal.net;

import dev.agentrt.core.egress.EgressException;

import java.util.function.LongSupplier;

/**
 * One deadline for a whole request, on the {@link Network}'s clock. Every connect, handshake and
 * read asks it for the time left and sets that as the socket's timeout, so a server that trickles
 * one byte at a time still ends at the deadline.
 */
public final class Deadline {
    private final LongSupplier nanoTime;
    private final long at;
    private final String what;

    /** @param what the request, as named in the timeout message */
    public Deadline(LongSupplier nanoTime, long timeoutNanos, String what) {
        this.nanoTime = nanoTime;
        this.at = nanoTime.getAsLong() + timeoutNanos;
        this.what = what;
    }

    /** Milliseconds left, at least 1; throws the timeout once none are. */
    int remainingMillis() {
        long ms = (at - nanoTime.getAsLong()) / 1_000_000;
        if (ms <= 0) {
            throw expired();
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    boolean passed() {
        return at - nanoTime.getAsLong() <= 0;
    }

    EgressException expired() {
        return new EgressException(EgressException.Kind.TIMEOUT,
                "The request to " + what + " took longer than its time limit and was stopped.");
    }
}
