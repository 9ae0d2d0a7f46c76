package dev.agentrt.memory.internal.pg;

import dev.agentrt.core.memory.VectorStore.Entry;
import org.jspecify.annotations.Nullable;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Binds metadata and reads entries in the forms {@link PgSql} uses. */
public final class PgRows {
    private PgRows() {}

    /** Sets metadata as two text arrays (keys, values) from {@code index}; returns the next index. */
    public static int setMetadata(Connection c, PreparedStatement ps, int index, Map<String, String> metadata)
            throws SQLException {
        var sorted = new TreeMap<>(metadata);
        ps.setArray(index, c.createArrayOf("text", sorted.keySet().toArray(String[]::new)));
        ps.setArray(index + 1, c.createArrayOf("text", sorted.values().toArray(String[]::new)));
        return index + 2;
    }

    /** The entry in columns 1 to 5 (id, vector text, text, metadata keys, metadata values). */
    public static Entry entry(ResultSet rs) throws SQLException {
        String[] keys = strings(rs.getArray(4));
        String[] values = strings(rs.getArray(5));
        var metadata = new LinkedHashMap<String, String>();
        for (int i = 0; i < keys.length; i++) {
            metadata.put(keys[i], values[i]);
        }
        return new Entry(rs.getString(1), PgVectors.parse(rs.getString(2)), rs.getString(3), metadata);
    }

    private static String[] strings(@Nullable Array array) throws SQLException {
        if (array == null) {
            return new String[0];
        }
        try {
            return (String[]) array.getArray();
        } finally {
            array.free();
        }
    }
}
