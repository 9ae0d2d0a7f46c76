package dev.agentrt.memory.internal.pg;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The SQL of one vector table. The table name is checked against a conservative pattern (lower-case
 * unquoted identifiers, optionally schema-qualified) and then written into the statements as is;
 * every value travels as a bind parameter.
 *
 * <p>Metadata is a {@code jsonb} object of strings. It is written and matched with
 * {@code jsonb_object(keys text[], values text[])}, so filters run in SQL as
 * {@code metadata @> jsonb_object(?, ?)} (served by a GIN {@code jsonb_path_ops} index), and read
 * back as two arrays ordered by key, so no JSON text is parsed on the client.
 */
public final class PgSql {
    /** At most 48 characters, so that index names derived from it stay within PostgreSQL's 63. */
    private static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]{0,47}\\.)?[a-z_][a-z0-9_]{0,47}");

    private static final String COLUMNS = columns("");
    private static final String FILTER = " AND metadata @> jsonb_object(?::text[], ?::text[])";

    private final String table;
    private final String indexPrefix;
    private final String schemaPrefix;

    private PgSql(String table) {
        this.table = table;
        this.indexPrefix = table.substring(table.indexOf('.') + 1);
        this.schemaPrefix = table.substring(0, table.indexOf('.') + 1);
    }

    private static String columns(String alias) {
        return alias + "id, " + alias + "embedding::text, " + alias + "text, "
                + "ARRAY(SELECT key FROM jsonb_each_text(" + alias + "metadata) ORDER BY key), "
                + "ARRAY(SELECT value FROM jsonb_each_text(" + alias + "metadata) ORDER BY key)";
    }

    /** The SQL for {@code table}; an {@link IllegalArgumentException} for a name it does not accept. */
    public static PgSql forTable(String table) {
        if (!TABLE.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be a lower-case SQL identifier of at most 48 characters"
                    + " ([a-z_][a-z0-9_]*), optionally schema-qualified, was '" + table + "'");
        }
        return new PgSql(table);
    }

    public String table() {
        return table;
    }

    /** Serialises schema creation between application instances that start at the same time. */
    public static String lockSchema() {
        return "SELECT pg_advisory_xact_lock(hashtext('agentrt.PgVectorStore:' || ?))";
    }

    public static String extensionInstalled() {
        return "SELECT 1 FROM pg_extension WHERE extname = 'vector'";
    }

    public static String createExtension() {
        return "CREATE EXTENSION IF NOT EXISTS vector";
    }

    /**
     * One row if the table exists: whether it has an {@code embedding} column of type
     * {@code vector}, and that column's declared dimension count (the type modifier; -1 for an
     * undeclared one).
     */
    public static String describeTable() {
        return "SELECT a.attname IS NOT NULL AND format_type(a.atttypid, NULL) = 'vector', COALESCE(a.atttypmod, -1)"
                + " FROM pg_class c LEFT JOIN pg_attribute a"
                + " ON a.attrelid = c.oid AND a.attname = 'embedding' AND NOT a.attisdropped"
                + " WHERE c.oid = to_regclass(?)";
    }

    public String createTable(int dimensions) {
        return "CREATE TABLE IF NOT EXISTS " + table + " (namespace text NOT NULL, id text NOT NULL, embedding vector("
                + dimensions + ") NOT NULL, text text NOT NULL, metadata jsonb NOT NULL DEFAULT '{}'::jsonb,"
                + " written timestamptz, PRIMARY KEY (namespace, id))";
    }

    /** One row if the table has the {@code written} column. Parameter: the table name. */
    public static String hasWrittenColumn() {
        return "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = 'written' AND NOT attisdropped";
    }

    /**
     * When each row was last written (set by {@link #upsert}), for the exact search of the newest rows (see
     * {@link #recentSearch}); added to a table created before the column was. Nullable with no default, so adding it
     * rewrites nothing; older rows stay null.
     */
    public String addWrittenColumn() {
        return "ALTER TABLE " + table + " ADD COLUMN IF NOT EXISTS written timestamptz";
    }

    /**
     * One of the secondary indexes the store creates: its name (unqualified; it lives in the table's schema) and what
     * follows {@code ON}.
     */
    public record Index(String name, String definition) {}

    /** The HNSW index, the metadata index and the index of the newest rows, in the order the store creates them. */
    public List<Index> indexes() {
        return List.of(vectorIndex(), new Index(indexPrefix + "_metadata_gin", "USING gin (metadata jsonb_path_ops)"),
                new Index(indexPrefix + "_written", "(namespace, written)"));
    }

    /** The HNSW cosine index, with pgvector's default {@code m} and {@code ef_construction}. */
    public Index vectorIndex() {
        return new Index(indexPrefix + "_embedding_hnsw", "USING hnsw (embedding vector_cosine_ops)");
    }

    /** {@code CREATE INDEX [CONCURRENTLY] name ON table ...}: concurrently only outside a transaction. */
    public String createIndex(Index index, boolean concurrently) {
        return "CREATE INDEX " + (concurrently ? "CONCURRENTLY " : "") + index.name() + " ON " + table + " "
                + index.definition();
    }

    /** {@code DROP INDEX [CONCURRENTLY] IF EXISTS schema.name}: concurrently only outside a transaction. */
    public String dropIndex(Index index, boolean concurrently) {
        return "DROP INDEX " + (concurrently ? "CONCURRENTLY " : "") + "IF EXISTS " + schemaPrefix + index.name();
    }

    /**
     * One row if the table has an index of this name: whether it is valid (a {@code CREATE INDEX CONCURRENTLY} that
     * failed, or is still running, leaves one that is not). Parameters: the table name, the index name.
     */
    public static String indexValid() {
        return "SELECT x.indisvalid AND x.indisready FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
                + " WHERE x.indrelid = to_regclass(?) AND i.relname = ?";
    }

    /** Whether the table holds any row (reads at most one). */
    public String hasRows() {
        return "SELECT EXISTS (SELECT 1 FROM " + table + ")";
    }

    /**
     * Serialises index builds on the table between application instances, without waiting: a session-level lock
     * taken with {@code pg_try_advisory_lock} (a key apart from {@link #lockSchema()}'s, which a schema transaction
     * waits for: a build that held it would wait for that transaction's snapshot while it waited for the lock).
     * Parameter: the table name.
     */
    public static String tryLockIndexBuild() {
        return "SELECT pg_try_advisory_lock(hashtext('agentrt.PgVectorStore.index:' || ?))";
    }

    /** Releases {@link #tryLockIndexBuild()}'s lock. Parameter: the table name. */
    public static String unlockIndexBuild() {
        return "SELECT pg_advisory_unlock(hashtext('agentrt.PgVectorStore.index:' || ?))";
    }

    /**
     * The rows of each namespace, counted. Columns: namespace, rows.
     */
    public String countByNamespace() {
        return "SELECT namespace, count(*) FROM " + table + " GROUP BY namespace ORDER BY namespace";
    }

    /**
     * The table's sizes and what the server's cumulative statistics say about it. Run after {@link #loadVector()}.
     * Columns: heap size, total size with indexes and
     * TOAST, the rows a search counts with (as {@link #searchSettings()}), dead rows, rows modified since the last
     * analyse, the last vacuum, autovacuum, analyse and autoanalyse, and {@code hnsw.ef_search}. Parameter: the table
     * name.
     */
    public static String tableStats() {
        return "SELECT pg_relation_size(c.oid), pg_total_relation_size(c.oid),"
                + " GREATEST(c.reltuples, pg_stat_get_live_tuples(c.oid), 0)::bigint,"
                + " COALESCE(s.n_dead_tup, 0), COALESCE(s.n_mod_since_analyze, 0),"
                + " s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,"
                + " current_setting('hnsw.ef_search', true)"
                + " FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = to_regclass(?)";
    }

    /** Loads pgvector into the session (a vector's input function), so that {@code hnsw.ef_search} is defined. */
    public static String loadVector() {
        return "SELECT '[0]'::vector";
    }

    /**
     * The table's indexes. Columns: name, access method, size, valid, storage options ({@code text[]}, or null).
     * Parameter: the table name.
     */
    public static String indexStats() {
        return "SELECT i.relname, am.amname, pg_relation_size(i.oid), x.indisvalid AND x.indisready, i.reloptions"
                + " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam"
                + " WHERE x.indrelid = to_regclass(?) ORDER BY i.relname";
    }

    /** Parameters: namespace, id, vector text, text, metadata keys, metadata values. */
    public String upsert() {
        return "INSERT INTO " + table + " (namespace, id, embedding, text, metadata, written)"
                + " VALUES (?, ?, ?::vector, ?, jsonb_object(?::text[], ?::text[]), clock_timestamp())"
                + " ON CONFLICT (namespace, id) DO UPDATE SET embedding = EXCLUDED.embedding, text = EXCLUDED.text,"
                + " metadata = EXCLUDED.metadata, written = EXCLUDED.written";
    }

    /**
     * Transaction-local search settings: {@code hnsw.ef_search} (the candidate list, which caps how
     * many rows one index scan returns) and iterative scans in strict order, so that a filter or a
     * large limit still yields the nearest {@code limit} rows; custom plans only, so that each search
     * is planned for its own filter values (a generic plan, which a driver's server-side prepared
     * statement gets after a few runs, guesses every filter's selectivity alike); and, from the statistics the server
     * keeps, what a search needs to choose between an exact scan and the graph. Parameters:
     * ef_search as text, the table name. Columns 4 to 6: the table's rows (the larger of the planner's
     * {@code reltuples} and the live-row counter), the rows inserted, updated or deleted since the
     * table was last analysed, and whether it ever was (in this server's statistics).
     */
    public static String searchSettings() {
        return "SELECT set_config('hnsw.ef_search', ?, true), set_config('hnsw.iterative_scan', 'strict_order', true),"
                + " set_config('plan_cache_mode', 'force_custom_plan', true),"
                + " GREATEST(c.reltuples, pg_stat_get_live_tuples(c.oid), 0)::bigint,"
                + " pg_stat_get_mod_since_analyze(c.oid),"
                + " pg_stat_get_last_analyze_time(c.oid) IS NOT NULL OR pg_stat_get_last_autoanalyze_time(c.oid) IS NOT NULL"
                + " FROM pg_class c WHERE c.oid = to_regclass(?)";
    }

    /**
     * The planner's plan for the rows a search may return, as JSON ({@code "Plan Rows"} of the top
     * node is its estimate of how many). Planning only: nothing is read. Parameters: namespace,
     * [keys, values].
     */
    public String estimateMatches(boolean filtered) {
        return "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + table + " WHERE namespace = ?" + (filtered ? FILTER : "");
    }

    /** How many rows a search may return, counted up to a bound. Parameters: namespace, [keys, values,] bound. */
    public String countMatches(boolean filtered) {
        return "SELECT count(*) FROM (SELECT 1 FROM " + table + " WHERE namespace = ?" + (filtered ? FILTER : "")
                + " LIMIT ?) m";
    }

    /**
     * The search through the HNSW index ({@code ORDER BY embedding <=> query}, which the index serves).
     * Columns: id, vector text, text, metadata keys, metadata values, cosine distance. Parameters:
     * vector text, namespace, [metadata keys, metadata values,] vector text, limit.
     */
    public String search(boolean filtered) {
        return "SELECT " + COLUMNS + ", embedding <=> ?::vector FROM " + table + " WHERE namespace = ?"
                + (filtered ? FILTER : "") + " ORDER BY embedding <=> ?::vector LIMIT ?";
    }

    /**
     * The exact search of the namespace's newest rows: the {@code recent} rows written last (through the
     * {@code (namespace, written)} index, newest first), those the filter keeps, the nearest {@code limit} of them. A
     * graph search adds these, because pgvector's HNSW graph can leave a new row that lies away from the rows before it
     * with no link that leads to it. Only the nearest {@code limit} are joined back for their columns (turning a
     * vector into text costs more than scoring it). Columns as {@link #search}. Parameters: vector text, namespace,
     * recent, [keys, values,] limit, namespace.
     */
    public String recentSearch(boolean filtered) {
        return "SELECT " + columns("t.") + ", top.d FROM (SELECT r.id, r.d FROM (SELECT id, metadata,"
                + " embedding <=> ?::vector AS d FROM " + table + " WHERE namespace = ? AND written IS NOT NULL"
                + " ORDER BY written DESC LIMIT ?) r"
                + (filtered ? " WHERE r.metadata @> jsonb_object(?::text[], ?::text[])" : "")
                + " ORDER BY r.d, r.id LIMIT ?) top JOIN " + table + " t ON t.namespace = ? AND t.id = top.id"
                + " ORDER BY top.d, top.id";
    }

    /**
     * The exact search: the distance of every row the filter keeps (read through the metadata or
     * primary-key index, or a sequential scan: never the HNSW index, which serves only an
     * {@code ORDER BY} of the distance itself), the nearest {@code limit} of them by a top-N sort,
     * ties broken by id. The rows read are bounded: the last column counts them, up to the bound,
     * so that a count above the caller's bound says the answer is not complete. Columns as
     * {@link #search}, then that count. Parameters: vector text, namespace, [keys, values,] bound,
     * limit, namespace.
     */
    public String exactSearch(boolean filtered) {
        return "SELECT " + columns("t.") + ", top.d, top.n FROM (SELECT m.id, m.d, count(*) OVER () AS n FROM"
                + " (SELECT id, embedding <=> ?::vector AS d FROM " + table + " WHERE namespace = ?"
                + (filtered ? FILTER : "") + " LIMIT ?) m ORDER BY m.d, m.id LIMIT ?) top"
                + " JOIN " + table + " t ON t.namespace = ? AND t.id = top.id ORDER BY top.d, top.id";
    }

    /** Columns as {@link #search} without the distance. Parameters: namespace, [keys, values,] limit. */
    public String find(boolean filtered) {
        return "SELECT " + COLUMNS + " FROM " + table + " WHERE namespace = ?" + (filtered ? FILTER : "")
                + " ORDER BY id LIMIT ?";
    }

    /** Parameters: namespace, ids. */
    public String deleteIds() {
        return "DELETE FROM " + table + " WHERE namespace = ? AND id = ANY(?::text[])";
    }

    /** The rows and the size on disk of the table with its indexes (the name passes the pattern above). */
    public String size() {
        return "SELECT COUNT(*), pg_total_relation_size('" + table + "'::regclass) FROM " + table;
    }

    /** Parameters: namespace, [keys, values]. */
    public String deleteWhere(boolean filtered) {
        return "DELETE FROM " + table + " WHERE namespace = ?" + (filtered ? FILTER : "");
    }
}
