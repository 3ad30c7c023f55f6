package io.tagwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tagwatch.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tagwatch import}: bad rows reported by line and reason, good rows imported, nothing half-written. */
class ImportCommandTest {
    private static final String KEY = "test-id-card-key-0123";
    private static TestDatabase.Db db;

    @TempDir
    static Path dir;

    @BeforeAll
    static void database() {
        db = TestDatabase.fresh();
    }

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(Map.of("TAGWATCH_DB_URL", db.url(), "TAGWATCH_DB_USER", db.user(),
                "TAGWATCH_ID_CARD_KEY", KEY), null);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Path csv(String name, String... lines) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void importVehicles_thenStolen_reportsEachBadRowByLineAndImportsTheGoodOnes() throws Exception {
        Path vehicles = csv("vehicles.csv",
                "plate,tag,kind,brand,color,owner_name,owner_phone,owner_id_card",
                "E-1,1A0001,ebike,Yadea,red,Wang Wei,+8613800000001,11010519491231002X",
                "\"M-2, rear\",1A0002,motorcycle,,,\"Li \"\"Junior\"\" Na\",+8613800000002,",
                "E-3,XYZ,ebike,,,Zhao,+8613800000003,",
                "E-4,1A0004,tricycle,,,Zhao,+8613800000003,",
                ",1A0005,ebike,,,Zhao,+8613800000003,",
                "E-6,1A0001,ebike,,,Zhao,+8613800000003,",
                "E-7,1A0007,ebike,,,Zhao,call me,",
                "E-8,1A0008,ebike,,,Zhao,+8613800000003,110105194912310021",
                "E-9,1A0009,ebike,,,Zhao",
                "E-10,1A000A,ebike,,,Zhao,+8613800000003,");
        Run first = run("import", "vehicles", vehicles.toString());
        assertThat(first.code()).as(first.err()).isEqualTo(1);
        assertThat(first.out()).contains(
                "vehicles.csv:4: tag: 'XYZ' is not a tag id: a tag id is 1 to 16 hex digits",
                "vehicles.csv:5: kind: 'tricycle' is neither ebike nor motorcycle",
                "vehicles.csv:6: plate: is required",
                "vehicles.csv:7: tag: 1A0001 repeats line 2",
                "vehicles.csv:8: owner_phone: 'call me' is not a phone number",
                "vehicles.csv:9: owner_id_card: the ID-card number's check character is wrong",
                "vehicles.csv:10: has 6 fields, the header has 8",
                "3 vehicles imported, 7 bad rows left out");
        assertThat(first.err()).contains("checking", "writing", "100%");
        assertThat(query("SELECT string_agg(plate, '|' ORDER BY plate) FROM vehicles WHERE plate NOT LIKE 'DP-%'")).isEqualTo("E-1|E-10|M-2, rear");
        assertThat(query("SELECT name FROM owners WHERE phone = '+8613800000002'")).isEqualTo("Li \"Junior\" Na");
        assertThat(query("SELECT id_card_masked FROM owners WHERE phone = '+8613800000001'")).isEqualTo("110***********002X");
        assertThat(query("SELECT length(id_card_hash) || ':' || (id_card_hash LIKE '%11010519491231002X%') "
                + "FROM owners WHERE phone = '+8613800000001'")).isEqualTo("64:false");

        Run again = run("import", "vehicles", vehicles.toString());
        assertThat(again.out()).contains("vehicles.csv:2: tag: 1A0001 is already registered", "0 vehicles imported");
        assertThat(again.code()).isEqualTo(2);

        Path stolen = csv("stolen.csv", "tag,reported_at", "1A0001,2026-11-28", "1A0003,", "1A0002,yesterday",
                "1A000A,2026-11-29T08:30:00Z", "1a000a,");
        Run thefts = run("import", "stolen", stolen.toString());
        assertThat(thefts.out()).contains("stolen.csv:3: tag: no registered vehicle carries 1A0003",
                "stolen.csv:4: reported_at: 'yesterday' is not an ISO-8601 date",
                "stolen.csv:6: tag: 1A000A repeats line 5", "2 theft reports imported, 3 bad rows left out");
        assertThat(query("SELECT string_agg(v.plate || '@' || to_char(t.reported_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), "
                + "'|' ORDER BY v.plate) FROM theft_reports t JOIN vehicles v ON v.id = t.vehicle_id WHERE t.status = 'open'"))
                .isEqualTo("E-1@2026-11-28 00:00|E-10@2026-11-29 08:30");
        assertThat(run("import", "stolen", csv("again.csv", "tag", "1A0001").toString()).out())
                .contains("again.csv:2: tag: 1A0001 is already reported stolen");
    }

    @Test
    void importVehicles_aPlateTwiceInTheFileOrAlreadyRegistered_isABadRow() throws Exception {
        Run first = run("import", "vehicles", csv("plates1.csv",
                "plate,tag,kind,owner_name,owner_phone",
                "DP-1,2B0001,ebike,Ana,+34600000001",
                "dp-1 ,2B0002,ebike,Bo,+34600000002",
                "DP-2,2B0003,ebike,Ana,+34600000001").toString());
        assertThat(first.code()).as(first.err()).isEqualTo(1);
        assertThat(first.out()).contains("plates1.csv:3: plate: dp-1 repeats line 2", "2 vehicles imported, 1 bad rows");

        Run second = run("import", "vehicles", csv("plates2.csv",
                "plate,tag,kind,owner_name,owner_phone",
                "Dp-2,2B0004,ebike,Bo,+34600000002",
                "DP-3,2B0005,ebike,Bo,+34600000002").toString());
        assertThat(second.code()).as(second.err()).isEqualTo(1);
        assertThat(second.out()).contains("plates2.csv:2: plate: Dp-2 is already registered", "1 vehicles imported");
        assertThat(query("SELECT plate FROM vehicles WHERE plate ILIKE 'dp-%' ORDER BY plate")).isEqualTo("DP-1,DP-2,DP-3");
    }

    @Test
    void import_withABadHeaderOrIdCardsWithoutAKey_importsNothingAndSaysWhy() throws Exception {
        Run unknown = run("import", "vehicles", csv("h.csv", "plate,tag,kind,owner,owner_phone", "E,1B0001,ebike,A,+861").toString());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown column 'owner'", "nothing imported");
        Run missing = run("import", "stolen", csv("m.csv", "reported_at", "2026-11-28").toString());
        assertThat(missing.err()).contains("lacks column 'tag'");

        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(Map.of("TAGWATCH_DB_URL", db.url(), "TAGWATCH_DB_USER", db.user()), null);
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute("import", "vehicles", csv("k.csv", "plate,tag,kind,owner_name,owner_phone,owner_id_card",
                "E-1,1B0002,ebike,A,+8613800000009,11010519491231002X").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("no --id-card-key");
        assertThat(query("SELECT count(*) FROM vehicles WHERE tag IN (1769474, 1769473)")).isEqualTo("0");
    }

    @Test
    void importThefts_withATagNoVehicleCarries_writesNothing() throws Exception {
        TestDatabase.Db own = TestDatabase.fresh();
        org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
        ds.setUrl(own.url());
        ds.setUser(own.user());
        io.tagwatch.store.Database.migrate(ds);
        io.tagwatch.registry.Registry registry = new io.tagwatch.registry.Registry(ds, java.time.Duration.ofHours(1),
                () -> { }, () -> { });
        registry.importVehicles(List.of(new io.tagwatch.registry.VehicleImport("E-1", 0x1C0001L, "ebike", null, null,
                "A", "+8613800000010")));
        try {
            registry.importThefts(new long[] {0x1C0001L, 0x1C0002L}, new long[] {Long.MIN_VALUE, Long.MIN_VALUE});
        } catch (io.tagwatch.registry.RegistryException expected) {
            assertThat(expected.getMessage()).contains("1 tags are carried by no registered vehicle");
        }
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM theft_reports")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the known tag's report was rolled back with the rest").isZero();
        }
    }

    private static String query(String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return String.join(",", out);
        }
    }

    @Test
    void importHelp_listsWhereTheDataIs_notTheServersOptions() {
        Run help = run("import", "vehicles", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--data-dir", "--db-url", "--db-user", "--db-password", "--id-card-key", "--config")
                .doesNotContain("--mqtt-port", "--webhook-url", "--tls-cert", "--dedup-window");
    }
}
