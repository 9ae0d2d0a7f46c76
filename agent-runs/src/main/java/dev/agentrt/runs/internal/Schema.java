package dev.agentrt.runs.internal;

import java.util.List;

/** The run store's schema, as forward migrations: {@code migration(v)} takes version {@code v - 1} to {@code v}. */
final class Schema {
    private Schema() {}

    static List<String> migration(int version) {
        return switch (version) {
            case 1 -> List.of(
                    "CREATE TABLE agentrt_runs ("
                            + "id VARCHAR(200) PRIMARY KEY, "
                            + "agent_name TEXT NOT NULL, "
                            + "agent_version TEXT NOT NULL, "
                            + "input TEXT NOT NULL, "
                            + "principal TEXT NOT NULL, "
                            + "grants TEXT NOT NULL, "
                            + "session_id VARCHAR(200), "
                            + "status VARCHAR(32) NOT NULL, "
                            + "outcome VARCHAR(32), "
                            + "created BIGINT NOT NULL, "
                            + "updated BIGINT NOT NULL, "
                            + "last_seq BIGINT NOT NULL, "
                            + "lease_owner TEXT, "
                            + "lease_token BIGINT NOT NULL, "
                            + "lease_expires BIGINT, "
                            + "ordinal BIGINT NOT NULL)",
                    "CREATE INDEX agentrt_runs_ordinal ON agentrt_runs (ordinal)",
                    "CREATE INDEX agentrt_runs_status ON agentrt_runs (status, created, ordinal)",
                    "CREATE INDEX agentrt_runs_session ON agentrt_runs (session_id, created, ordinal)",
                    "CREATE TABLE agentrt_journal ("
                            + "run_id VARCHAR(200) NOT NULL, "
                            + "seq BIGINT NOT NULL, "
                            + "time BIGINT NOT NULL, "
                            + "kind VARCHAR(32) NOT NULL, "
                            + "data TEXT NOT NULL, "
                            + "PRIMARY KEY (run_id, seq))");
            default -> throw new IllegalArgumentException("no migration to schema version " + version);
        };
    }
}
