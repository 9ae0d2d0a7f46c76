package dev.agentrt.consumercheck;

import java.util.Objects;

/** What a smoke test asserts; a failed check ends the program with a message naming what differed. */
final class Checks {
    private Checks() {}

    static void that(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError("smoke test failed: " + failure);
        }
    }

    static void equal(String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError("smoke test failed: " + what + " was <" + actual + ">, expected <" + expected
                    + ">");
        }
    }
}
