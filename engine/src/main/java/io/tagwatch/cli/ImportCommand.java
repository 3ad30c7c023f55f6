package io.tagwatch.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tagwatch.config.EngineConfig;
import io.tagwatch.registry.Registry;
import io.tagwatch.registry.RegistryException;
import io.tagwatch.store.Database;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tagwatch import vehicles|stolen FILE.csv}: every row is checked first and each bad one
 * reported with its line number and reason; the good rows then go to the database in one
 * transaction, so a failure there leaves nothing half-written. Exit status 0 when every row was
 * imported, 1 when bad rows were left out (the good ones are imported), 2 when nothing was
 * imported. Columns are in docs/operations.md ("Bulk import").
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import CSV files: registered vehicles, or a stolen list.",
        subcommands = {ImportCommand.Vehicles.class, ImportCommand.Stolen.class})
final class ImportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * What the checks made of a file: how many good rows, the bad ones, and how to write the good
     * ones in one transaction (returning how many were written).
     */
    record Checked(int good, List<ImportRows.Bad> bad, java.util.function.BiFunction<Registry, ProgressBar, Long> writer) {
    }

    /** One {@code import} subcommand: its file, where the data is ({@link StoreOptions}), what it imports. */
    abstract static class Subcommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions options;
        @Parameters(paramLabel = "FILE.csv", description = "The CSV file (UTF-8, first line the header).")
        Path file;

        abstract String what();

        abstract ImportRows.Checker checker();

        @Override
        public Integer call() throws IOException {
            return run(spec, options, file, what(), checker());
        }
    }

    static int run(CommandSpec spec, StoreOptions options, Path file, String what,
                   ImportRows.Checker checker) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isReadable(file)) {
            err.println("tagwatch import: cannot read " + file);
            return 2;
        }
        EngineConfig config = options.toConfig();
        long bytes = Files.size(file);
        long started = System.nanoTime();
        ProgressBar progress = new ProgressBar(err);
        try (Database database = Database.open(config, new SimpleMeterRegistry())) {
            Registry registry = new Registry(database.dataSource(), config.tokenTtl(), () -> { }, () -> { });
            Checked checked;
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                CsvReader csv = new CsvReader(in);
                progress.phase("checking", bytes, "bytes");
                checked = checker.check(csv, registry, config, progress);
                progress.done();
            } catch (IllegalArgumentException e) {
                err.println();
                err.println("tagwatch import: " + file + ": " + e.getMessage() + "; nothing imported");
                return 2;
            }
            for (ImportRows.Bad b : checked.bad()) {
                out.println(file.getFileName() + ":" + b.line() + ": " + b.reason());
            }
            long checkedAt = System.nanoTime();
            long written = 0;
            if (checked.good() > 0) {
                progress.phase("writing", checked.good(), "rows");
                try {
                    written = checked.writer().apply(registry, progress);
                    progress.update(written);
                } catch (RegistryException | IllegalStateException e) {
                    err.println();
                    err.println("tagwatch import: the database refused the import (" + e.getMessage()
                            + "); nothing imported");
                    return 2;
                }
                progress.done();
            }
            long end = System.nanoTime();
            out.printf("%,d %s imported, %,d bad rows left out (%.1f s: checking %.1f s, writing %.1f s)%n", written, what,
                    checked.bad().size(), (end - started) / 1e9, (checkedAt - started) / 1e9, (end - checkedAt) / 1e9);
            out.flush();
            return written == 0 && !checked.bad().isEmpty() ? 2 : checked.bad().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "vehicles", mixinStandardHelpOptions = true,
            description = "Register vehicles and their owners. Header: plate,tag,kind,owner_name,owner_phone"
                    + " and optionally brand,color,owner_id_card (needs --id-card-key), in any order.")
    static final class Vehicles extends Subcommand {
        @Override
        String what() {
            return "vehicles";
        }

        @Override
        ImportRows.Checker checker() {
            return ImportRows::vehicles;
        }
    }

    @Command(name = "stolen", mixinStandardHelpOptions = true,
            description = "Open theft reports for registered vehicles. Header: tag and optionally reported_at "
                    + "(ISO-8601 such as 2026-11-29T08:30:00Z or 2026-11-29).")
    static final class Stolen extends Subcommand {
        @Override
        String what() {
            return "theft reports";
        }

        @Override
        ImportRows.Checker checker() {
            return ImportRows::stolen;
        }
    }
}
