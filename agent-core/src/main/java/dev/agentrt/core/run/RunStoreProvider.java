package dev.agentrt.core.run;

import java.nio.file.Path;

/**
 * How {@link RunStore#open(Path)} and {@link RunStore#postgres(String)} find their implementation: a
 * {@link java.util.ServiceLoader} service that the {@code agent-runs} module provides. Not for applications.
 */
public interface RunStoreProvider {
    /** The embedded store in one file at {@code path}, created if absent. */
    RunStore open(Path path);

    /** A store in the PostgreSQL database at the JDBC URL {@code url}. */
    RunStore postgres(String url);
}
