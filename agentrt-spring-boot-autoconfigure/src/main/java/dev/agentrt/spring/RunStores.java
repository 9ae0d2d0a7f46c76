package dev.agentrt.spring;

import dev.agentrt.core.run.RunStore;
import dev.agentrt.runs.PostgresRunStore;
import dev.agentrt.runs.SqliteRunStore;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

import javax.sql.DataSource;
import java.nio.file.Path;

/** The run stores {@code agentrt.runs.*} describes; only loaded when agent-runs is on the class path. */
final class RunStores {
    private RunStores() {}

    static RunStore sqlite(Path path) {
        try {
            return SqliteRunStore.open(path);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationPropertyValueException("agentrt.runs.path", path,
                    "cannot open a run store there: " + e.getMessage());
        }
    }

    /** Runs journaled in the application's PostgreSQL data source, which the store never closes. */
    static RunStore postgres(DataSource dataSource) {
        try {
            return PostgresRunStore.open(dataSource);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationPropertyValueException("agentrt.runs.store", "datasource",
                    "cannot open the run store in the application's DataSource: " + e.getMessage());
        }
    }
}
