package dev.agentrt.core.internal.schema;

import static dev.agentrt.core.internal.schema.Echo.quote;
import static dev.agentrt.core.internal.schema.Limits.MAX_DEPTH;
import static dev.agentrt.core.internal.schema.Limits.MAX_ECHO;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Gathers violations for one invalid value, tracking the path to the current part of it in
 * arrays rather than as objects, so that descending costs nothing until a message is written.
 */
final class Collector {
    private final List<String> violations = new ArrayList<>();
    private final int limit;
    private final @Nullable String[] names;
    private final int[] indices;
    private int depth;

    Collector(int limit) {
        this(limit, new String[MAX_DEPTH + 1], new int[MAX_DEPTH + 1], 0);
    }

    private Collector(int limit, @Nullable String[] names, int[] indices, int depth) {
        this.limit = limit;
        this.names = names;
        this.indices = indices;
        this.depth = depth;
    }

    /** A collector for the same position, with its own violations; shares the path arrays. */
    Collector fork(int limit) {
        return new Collector(limit, names, indices, depth);
    }

    void enter(String name) {
        names[depth++] = name;
    }

    void enter(int index) {
        names[depth] = null;
        indices[depth++] = index;
    }

    void exit() {
        depth--;
    }

    boolean full() {
        return violations.size() >= limit;
    }

    boolean isEmpty() {
        return violations.isEmpty();
    }

    void add(String problem) {
        if (!full()) {
            violations.add(path() + ": " + problem);
        }
    }

    void addComplete(String violation) {
        if (!full()) {
            violations.add(violation);
        }
    }

    int size() {
        return violations.size();
    }

    /**
     * The first violation without its path: for a fork whose checks stayed at its position, as
     * checks of a string do, this is what was wrong.
     */
    String firstProblem() {
        String first = violations.get(0);
        return first.substring(Math.min(first.length(), path().length() + 2));
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    private String path() {
        var path = new StringBuilder("$");
        for (int i = 0; i < depth; i++) {
            String name = names[i];
            if (name == null) {
                path.append('[').append(indices[i]).append(']');
            } else if (isIdentifier(name)) {
                path.append('.').append(name);
            } else {
                path.append('[').append(quote(name)).append(']');
            }
        }
        return path.toString();
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || name.length() > MAX_ECHO) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            boolean letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
            if (!letter && !(i > 0 && ch >= '0' && ch <= '9')) {
                return false;
            }
        }
        return true;
    }
}
