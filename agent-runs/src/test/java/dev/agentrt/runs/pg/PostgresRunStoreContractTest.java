package dev.agentrt.runs.pg;

import dev.agentrt.core.contract.RunStoreContract;
import dev.agentrt.core.run.RunStore;
import dev.agentrt.runs.PostgresRunStore;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;

/** The run store contract on PostgreSQL: PGlite, or the server {@link PgDatabase} is told to use. */
class PostgresRunStoreContractTest extends RunStoreContract {
    @RegisterExtension
    static final PgDatabase DB = new PgDatabase();

    @Override
    protected RunStore newStore(Clock clock) {
        return PostgresRunStore.builder(DB.freshUrl()).clock(clock).build();
    }
}
