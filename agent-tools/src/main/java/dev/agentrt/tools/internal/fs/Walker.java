package dev.agentrt.tools.internal.fs;

import dev.agentrt.core.internal.fs.ConfinementException;
import dev.agentrt.core.internal.fs.Dir;

import java.io.IOException;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Walks the tree below a directory depth first, in name order, without following links: a linked
 * directory is reported as a link and never entered, so a walk cannot leave the root.
 */
final class Walker {
    static final int MAX_DEPTH = 128;
    static final int MAX_VISITS = 200_000;

    /** Called for every entry; returns {@code false} to end the walk. */
    interface Visitor {
        boolean visit(Dir dir, String name, String relative, BasicFileAttributes attributes) throws IOException;
    }

    private final Deadline deadline;
    private int visits;
    private boolean stopped;
    private boolean cut;

    Walker(Deadline deadline) {
        this.deadline = deadline;
    }

    /** Whether the walk stopped at {@link #MAX_VISITS} entries or {@link #MAX_DEPTH} levels. */
    boolean cut() {
        return cut;
    }

    void walk(Dir dir, Visitor visitor) throws IOException {
        walk(dir, "", 0, visitor);
    }

    private void walk(Dir dir, String prefix, int depth, Visitor visitor) throws IOException {
        for (String name : dir.names()) {
            if (stopped) {
                return;
            }
            deadline.check();
            if (++visits > MAX_VISITS) {
                cut = true;
                stopped = true;
                return;
            }
            BasicFileAttributes a = dir.attributes(name);
            if (a == null) {
                continue;
            }
            String relative = prefix + name;
            if (!visitor.visit(dir, name, relative, a)) {
                stopped = true;
                return;
            }
            if (a.isDirectory() && !a.isSymbolicLink()) {
                if (depth + 1 >= MAX_DEPTH) {
                    cut = true;
                    continue;
                }
                Dir child;
                try {
                    child = dir.openDir(name, false);
                } catch (ConfinementException e) {
                    // Replaced by a link or removed since it was listed: skipped, never followed.
                    continue;
                }
                try (child) {
                    walk(child, relative + "/", depth + 1, visitor);
                }
            }
        }
    }
}
