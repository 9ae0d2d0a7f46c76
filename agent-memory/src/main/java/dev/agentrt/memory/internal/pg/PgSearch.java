package dev.agentrt.memory.internal.pg;

import dev.agentrt.core.memory.VectorStore.Match;
import dev.agentrt.core.memory.VectorStore.Query;
import dev.agentrt.memory.internal.lucene.SearchTuning;
import org.jspecify.annotations.Nullable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One search of a pgvector table, on a connection inside the caller's transaction (blocking).
 *
 * <p>A search whose namespace and filter keep at most {@link SearchTuning#exactFilterMatches} rows of the table (the
 * rule the Lucene store uses: at least 10,000, or 5 % of the rows) is answered exactly: the distance of every row the
 * filter keeps, the nearest by a top-N sort ({@link PgSql#exactSearch}). Any other search goes through the HNSW index
 * with iterative scans ({@link PgSql#search}). To choose without reading the rows, it asks the planner how many rows
 * the filter keeps ({@code EXPLAIN}, planning only) when the table has statistics, and widens that estimate by the
 * rows written since they were gathered (no count can have moved further); when the widened estimate straddles the
 * bound, or the table was never analysed (the planner would guess), it counts the matches up to the bound instead.
 *
 * <p>A graph search also scans the namespace's 1,000 newest rows exactly ({@link PgSql#recentSearch}) and keeps the
 * nearest of both: pgvector's graph can leave a new row that lies away from the rows before it with no link leading
 * to it, and an entry just remembered is the one an agent asks for next.
 *
 * <p>Neither choice can cost exactness: the exact query counts the rows it read (up to the bound plus one), so an
 * estimate that was too low is noticed and the graph answers instead; and a graph search that returns fewer than
 * {@code limit} rows (an estimate that was too high, for a filter so selective that the iterative scan gave up) is
 * answered by the exact query.
 */
public final class PgSearch {
    /**
     * How many of a namespace's newest rows a graph search also scans exactly: at 10 writes a second, the last 100
     * seconds. On PGlite at 100,000 x 384 the scan took 9.8 ms, and the p50 of an unfiltered search rose by about 8 ms
     * (benchmarks/README.md, section 7d); a native server scores a row several times faster.
     */
    static final int RECENT = 1_000;

    private static final Pattern PLAN_ROWS = Pattern.compile("\"Plan Rows\":\\s*([0-9.eE+]+)");

    /** How a search was answered. */
    public enum Path {
        /** A scan of every row the filter keeps: the true nearest. */
        EXACT,
        /** The HNSW index with iterative scans: approximate. */
        GRAPH
    }

    /** The matches, nearest first, and how they were found. */
    public record Result(List<Match> matches, Path path) {}

    private final PgSql sql;
    private final SearchTuning tuning;

    public PgSearch(PgSql sql, SearchTuning tuning) {
        this.sql = sql;
        this.tuning = tuning;
    }

    /** Searches {@code namespace}; the query's vector has been checked against the table's dimensions. */
    public Result search(Connection c, String namespace, Query query) throws SQLException {
        String vector = PgVectors.format(query.embedding());
        Map<String, String> filter = query.filter();
        long rows;
        long changed;
        boolean analysed;
        try (var ps = c.prepareStatement(PgSql.searchSettings())) {
            ps.setString(1, Integer.toString(Math.clamp(query.limit(), 40, 1000)));
            ps.setString(2, sql.table());
            try (var rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the table " + sql.table() + " does not exist", "42P01");
                }
                rows = rs.getLong(4);
                changed = rs.getLong(5);
                analysed = rs.getBoolean(6);
            }
        }
        // At most Integer.MAX_VALUE - 1, so that the bound plus one is a LIMIT the server takes.
        long bound = Math.min(tuning.exactFilterMatches(rows), Integer.MAX_VALUE - 1L);
        boolean exactFirst;
        if (analysed) {
            long estimate = estimate(c, namespace, filter);
            if (estimate + changed <= bound) {
                exactFirst = true;
            } else if (estimate - changed > bound) {
                exactFirst = false;
            } else {
                exactFirst = count(c, namespace, filter, bound) <= bound;
            }
        } else {
            exactFirst = count(c, namespace, filter, bound) <= bound;
        }
        if (exactFirst) {
            List<Match> exact = exact(c, vector, namespace, query, bound);
            if (exact != null) {
                return new Result(exact, Path.EXACT);
            }
        }
        List<Match> graph = withRecent(graph(c, vector, namespace, query), recent(c, vector, namespace, query),
                query.limit());
        if (!exactFirst && graph.size() < query.limit()) {
            List<Match> exact = exact(c, vector, namespace, query, bound);
            if (exact != null) {
                return new Result(exact, Path.EXACT);
            }
        }
        return new Result(graph, Path.GRAPH);
    }

    private long estimate(Connection c, String namespace, Map<String, String> filter) throws SQLException {
        try (var ps = c.prepareStatement(sql.estimateMatches(!filter.isEmpty()))) {
            bindWhere(c, ps, 1, namespace, filter);
            try (var rs = ps.executeQuery()) {
                var plan = new StringBuilder();
                while (rs.next()) {
                    plan.append(rs.getString(1));
                }
                var m = PLAN_ROWS.matcher(plan);
                if (!m.find()) {
                    throw new SQLException("the server's EXPLAIN (FORMAT JSON) has no \"Plan Rows\"");
                }
                return (long) Math.ceil(Double.parseDouble(m.group(1)));
            }
        }
    }

    private long count(Connection c, String namespace, Map<String, String> filter, long bound) throws SQLException {
        try (var ps = c.prepareStatement(sql.countMatches(!filter.isEmpty()))) {
            int i = bindWhere(c, ps, 1, namespace, filter);
            ps.setLong(i, bound + 1);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The exact nearest, or null if the filter keeps more than {@code bound} rows. */
    private @Nullable List<Match> exact(Connection c, String vector, String namespace, Query query, long bound)
            throws SQLException {
        try (var ps = c.prepareStatement(sql.exactSearch(!query.filter().isEmpty()))) {
            ps.setString(1, vector);
            int i = bindWhere(c, ps, 2, namespace, query.filter());
            ps.setLong(i++, bound + 1);
            ps.setInt(i++, query.limit());
            ps.setString(i, namespace);
            try (var rs = ps.executeQuery()) {
                var out = new ArrayList<Match>();
                while (rs.next()) {
                    if (rs.getLong(7) > bound) {
                        return null;
                    }
                    out.add(match(rs));
                }
                return List.copyOf(out);
            }
        }
    }

    private List<Match> graph(Connection c, String vector, String namespace, Query query) throws SQLException {
        try (var ps = c.prepareStatement(sql.search(!query.filter().isEmpty()))) {
            ps.setString(1, vector);
            int i = bindWhere(c, ps, 2, namespace, query.filter());
            ps.setString(i++, vector);
            ps.setInt(i, query.limit());
            try (var rs = ps.executeQuery()) {
                var out = new ArrayList<Match>();
                while (rs.next()) {
                    out.add(match(rs));
                }
                return List.copyOf(out);
            }
        }
    }

    /** The exact nearest among the namespace's {@link #RECENT} newest rows. */
    private List<Match> recent(Connection c, String vector, String namespace, Query query) throws SQLException {
        try (var ps = c.prepareStatement(sql.recentSearch(!query.filter().isEmpty()))) {
            ps.setString(1, vector);
            ps.setString(2, namespace);
            ps.setInt(3, RECENT);
            int i = query.filter().isEmpty() ? 4 : PgRows.setMetadata(c, ps, 4, query.filter());
            ps.setInt(i++, query.limit());
            ps.setString(i, namespace);
            try (var rs = ps.executeQuery()) {
                var out = new ArrayList<Match>();
                while (rs.next()) {
                    out.add(match(rs));
                }
                return out;
            }
        }
    }

    /** The nearest {@code limit} of both lists (each nearest first), each entry once. */
    private static List<Match> withRecent(List<Match> graph, List<Match> recent, int limit) {
        if (recent.isEmpty()) {
            return graph;
        }
        var ids = new HashSet<String>();
        var all = new ArrayList<Match>(graph.size() + recent.size());
        for (List<Match> part : List.of(graph, recent)) {
            for (Match m : part) {
                if (ids.add(m.entry().id())) {
                    all.add(m);
                }
            }
        }
        all.sort(Comparator.comparingDouble(Match::score).reversed());
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    private static int bindWhere(Connection c, PreparedStatement ps, int index, String namespace,
            Map<String, String> filter) throws SQLException {
        ps.setString(index, namespace);
        return filter.isEmpty() ? index + 1 : PgRows.setMetadata(c, ps, index + 1, filter);
    }

    private static Match match(ResultSet rs) throws SQLException {
        double distance = rs.getDouble(6);
        return new Match(PgRows.entry(rs), Double.isNaN(distance) ? 0 : 1 - distance);
    }
}
