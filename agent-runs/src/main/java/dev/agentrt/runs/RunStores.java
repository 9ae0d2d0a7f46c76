package dev.agentrt.runs;

import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.run.RunStoreProvider;

import java.nio.file.Path;

/** The implementation behind {@link RunStore#open(Path)} and {@link RunStore#postgres(String)}. */
public final class RunStores implements RunStoreProvider {
    /** For {@link java.util.ServiceLoader}. */
    public RunStores() {}

    @Override
    public RunStore open(Path path) {
        return SqliteRunStore.open(path);
    }

    @Override
    public RunStore postgres(String url) {
        return PostgresRunStore.open(url);
    }
}
