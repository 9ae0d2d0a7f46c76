package dev.agentrt.runs;

import dev.agentrt.core.contract.RunStoreContract;
import dev.agentrt.core.run.RunStore;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

class SqliteRunStoreContractTest extends RunStoreContract {
    @TempDir
    Path dir;

    @Override
    protected RunStore newStore(Clock clock) {
        return SqliteRunStore.builder(dir.resolve("runs.db")).clock(clock).build();
    }
}
