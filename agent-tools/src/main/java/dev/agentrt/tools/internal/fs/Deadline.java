package dev.agentrt.tools.internal.fs;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A time limit for a search. {@link #guard} wraps the text a regular expression runs over so that
 * even a catastrophically backtracking pattern stops: {@code java.util.regex} cannot be interrupted,
 * but it reads its input through {@code charAt}, which checks the clock and the thread's interrupt.
 */
final class Deadline {
    private final InstantSource clock;
    private final Instant end;

    /** Thrown out of a match or a walk when time is up or the call was cancelled. */
    static final class Expired extends RuntimeException {
        Expired() {
            super("the search's time limit was reached", null, false, false);
        }
    }

    Deadline(Duration limit, InstantSource clock) {
        this.clock = clock;
        this.end = clock.instant().plus(limit);
    }

    void check() {
        if (clock.instant().isAfter(end) || Thread.currentThread().isInterrupted()) {
            throw new Expired();
        }
    }

    CharSequence guard(CharSequence text) {
        return new Guarded(text, this);
    }

    private static final class Guarded implements CharSequence {
        private final CharSequence text;
        private final Deadline deadline;
        private int reads;

        Guarded(CharSequence text, Deadline deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 0x3FF) == 0) {
                deadline.check();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Guarded(text.subSequence(start, end), deadline);
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
