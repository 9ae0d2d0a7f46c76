package dev.agentrt.runs.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentrt.core.contract.RunStoreContract;
import dev.agentrt.core.run.NewRun;
import dev.agentrt.core.run.RunRecord;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.core.security.Principal;
import dev.agentrt.runs.PostgresRunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The run store contract (inherited tests) on PostgreSQL: PGlite, or the server {@link PgDatabase} is told to use;
 * and what only a shared store shows: a second store on the same database sees the first one's runs.
 */
class PostgresRunStoreContractTest extends RunStoreContract {
    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    private String url;

    @Override
    protected RunStore newStore(Clock clock) {
        url = DB.freshUrl();
        return PostgresRunStore.builder(url).clock(clock).build();
    }

    @Test
    void aSecondStoreOnTheSameDatabaseSeesTheRun() {
        store().create(new NewRun("shared", "agent", "1", "input", Principal.ANONYMOUS, List.of(), null), "owner",
                Duration.ofMinutes(1)).block(Duration.ofMinutes(1));
        try (RunStore other = PostgresRunStore.builder(url).clock(clock).build()) {
            RunRecord r = other.find("shared").block(Duration.ofMinutes(1));
            assertThat(r).isNotNull();
            assertThat(r.input()).isEqualTo("input");
        }
    }
}
