package io.tagwatch.registry;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The secondary indexes of some tables, dropped for a bulk insert and built again after it, in
 * the same transaction: one sort per index instead of one B-tree descent per row (PostgreSQL's
 * advice for bulk loads, "Populating a Database"). Measured on 220,000 vehicles: the owners
 * insert (three indexes, one on a random 64-character hash) and the vehicles insert (four) took
 * 2.6 and 2.1–2.5 s with their indexes in place (benchmarks/RESULTS.md, "Bulk import").
 *
 * <p>What is dropped is read from the catalogue ({@code pg_get_indexdef},
 * {@code pg_get_constraintdef}), so the definitions built again are exactly the migrations' own,
 * names included. Primary keys stay (rows are appended in key order, cheap to maintain) and so
 * does any index a foreign key depends on. A unique index built again checks its rows, so a
 * duplicate still fails the import (SQLSTATE 23505). Dropping takes the tables' exclusive lock
 * until commit; the caller's transaction either ends with every index back or is rolled back.
 */
final class RebuiltIndexes {
    private record Dropped(String table, String name, String constraint, String definition) {
    }

    private static final String LIST = "SELECT ic.relname, con.conname, "
            + "CASE WHEN con.oid IS NULL THEN pg_get_indexdef(i.indexrelid) ELSE pg_get_constraintdef(con.oid) END "
            + "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
            + "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('u', 'x') "
            + "WHERE i.indrelid = ?::regclass AND NOT i.indisprimary "
            + "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid) "
            + "ORDER BY ic.relname";

    private final List<Dropped> dropped = new ArrayList<>();

    private RebuiltIndexes() {
    }

    /** Drops the secondary indexes of {@code tables} inside {@code c}'s transaction and remembers them. */
    static RebuiltIndexes drop(Connection c, String... tables) throws SQLException {
        RebuiltIndexes r = new RebuiltIndexes();
        for (String table : tables) {
            try (PreparedStatement ps = c.prepareStatement(LIST)) {
                ps.setString(1, table);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        r.dropped.add(new Dropped(table, rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                }
            }
        }
        try (Statement st = c.createStatement()) {
            for (Dropped d : r.dropped) {
                st.execute(d.constraint() == null ? "DROP INDEX " + quote(d.name())
                        : "ALTER TABLE " + d.table() + " DROP CONSTRAINT " + quote(d.constraint()));
            }
        }
        return r;
    }

    /** Builds every dropped index again (a unique one checks its rows: SQLSTATE 23505 on a duplicate). */
    void restore(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL maintenance_work_mem = '256MB'"); // each index's sort in memory
            for (Dropped d : dropped) {
                st.execute(d.constraint() == null ? d.definition()
                        : "ALTER TABLE " + d.table() + " ADD CONSTRAINT " + quote(d.constraint()) + " " + d.definition());
            }
        }
    }

    /** Names of the indexes dropped, for the log. */
    List<String> names() {
        return dropped.stream().map(Dropped::name).toList();
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
