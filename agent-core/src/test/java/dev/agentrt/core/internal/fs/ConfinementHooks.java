package dev.agentrt.core.internal.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The confinement layer's seam between a check and the use it guards, for the race tests of the modules
 * that use the layer (agent-tools, agent-sandbox): they install a hook that swaps a file for a link at
 * exactly that moment, so a race is won or lost deterministically. Shipped in agent-core's test-jar, so
 * that no other module puts classes into this package.
 *
 * <pre>{@code
 * ConfinementHooks.install(new ConfinementHooks.Hook() {
 *     public void beforeOpen(Path path) throws IOException { swapForLink(path); }
 * });
 * try { ... } finally { ConfinementHooks.reset(); }
 * }</pre>
 *
 * <p>The hook is global: tests that install one must not run concurrently with other file tests of the
 * same JVM (the build runs test classes one at a time).
 */
public final class ConfinementHooks {
    /** Called by the confinement layer between its check of an entry and the use of it. */
    public interface Hook {
        /** Before a file or directory named by {@code path} is opened. */
        default void beforeOpen(Path path) throws IOException {}

        /** Before the directory {@code path} is created. */
        default void beforeCreateDirectory(Path path) throws IOException {}
    }

    private ConfinementHooks() {}

    /** Installs {@code hook}, replacing any other. */
    public static void install(Hook hook) {
        Confined.hook = new Confined.Hook() {
            @Override
            public void beforeOpen(Path path) throws IOException {
                hook.beforeOpen(path);
            }

            @Override
            public void beforeCreateDirectory(Path path) throws IOException {
                hook.beforeCreateDirectory(path);
            }
        };
    }

    /** Removes the hook: the layer runs as in production. */
    public static void reset() {
        Confined.hook = Confined.NO_HOOK;
    }
}
