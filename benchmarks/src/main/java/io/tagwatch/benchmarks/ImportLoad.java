package io.tagwatch.benchmarks;

import io.tagwatch.cli.Main;
import io.tagwatch.store.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code tagwatch import vehicles} of a city's registry: a CSV of {@code n} vehicles (default
 * 220,000; plates, tags, 70 % e-bikes, brand, colour, one owner each with a phone and a 15-digit
 * ID-card number, so every row is hashed) imported by the real command into a freshly migrated
 * embedded PostgreSQL 17, timed from the command's start to its exit (opening the database,
 * checking every row, the one-transaction write). Run three times, each into an empty database.
 *
 * <p>Run: {@code java -cp benchmarks/target/benchmarks.jar io.tagwatch.benchmarks.ImportLoad [n]}.
 */
public final class ImportLoad {
    private static final String[] BRANDS = {"Yadea", "Aima", "Niu", "Tailg", "Sunra", "Honda", "Yamaha"};
    private static final String[] COLORS = {"black", "white", "red", "blue", "grey", "green"};

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 220_000;
        Path csv = Files.createTempFile("tagwatch-vehicles", ".csv");
        SplittableRandom r = new SplittableRandom(42);
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("plate,tag,kind,brand,color,owner_name,owner_phone,owner_id_card\n");
            for (int i = 0; i < n; i++) {
                boolean ebike = r.nextInt(10) < 7;
                w.write(String.format("%s-%06d,%X,%s,%s,%s,Owner %d,+86138%08d,%015d%n", ebike ? "E" : "M", i,
                        0x9F3A000000L + i, ebike ? "ebike" : "motorcycle", BRANDS[r.nextInt(BRANDS.length)],
                        COLORS[r.nextInt(COLORS.length)], i, i, 110105000000000L + i));
            }
        }
        System.out.printf("CSV: %,d vehicles, %,d bytes%n", n, Files.size(csv));
        try (EmbeddedPostgres pg = Database.durable(EmbeddedPostgres.builder()).start()) { // as the engine runs it
            for (int run = 1; run <= 3; run++) {
                String name = "import" + run;
                try (var c = pg.getPostgresDatabase().getConnection(); var st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + name);
                }
                String url = pg.getJdbcUrl("postgres", name);
                PGSimpleDataSource ds = new PGSimpleDataSource();
                ds.setUrl(url);
                ds.setUser("postgres");
                Database.migrate(ds);
                long t0 = System.nanoTime();
                int code = Main.commandLine(Map.of("TAGWATCH_DB_URL", url, "TAGWATCH_DB_USER", "postgres",
                        "TAGWATCH_ID_CARD_KEY", "benchmark-key-0123456789"), null).execute("import", "vehicles", csv.toString());
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("run %d: exit %d, %,d vehicles in %.2f s (%,.0f rows/s)%n", run, code, n, s, n / s);
            }
        } finally {
            Files.deleteIfExists(csv);
        }
    }
}
