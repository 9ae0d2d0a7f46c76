package dev.agentrt.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.contract.RunStoreContract;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** The run store contract (inherited tests) on SQLite, and what only a file store shows: a reopened file. */
class SqliteRunStoreContractTest extends RunStoreContract {
    @TempDir
    Path dir;

    @Override
    protected RunStore newStore(Clock clock) {
        return SqliteRunStore.builder(dir.resolve("runs.db")).clock(clock).build();
    }

    @Test
    void aRunIsThereForAStoreOpenedLaterOnTheSameFile() {
        store().create(new NewRun("kept", "agent", "1", "input", Principal.ANONYMOUS, List.of(), null), "owner",
                Duration.ofMinutes(1)).block(Duration.ofMinutes(1));
        try (RunStore reopened = newStore(clock)) {
            RunRecord r = reopened.find("kept").block(Duration.ofMinutes(1));
            assertThat(r).isNotNull();
            assertThat(r.input()).isEqualTo("input");
        }
    }
}
