package io.tagwatch.cli;

import io.tagwatch.config.EngineConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a node's data is: the embedded database's directory or an external PostgreSQL, the key
 * of owners' ID-card hashes, and the {@code --config} file of defaults. {@code serve} and
 * {@code demo} take these among the engine's options ({@link EngineOptions}); {@code import}
 * takes only these. Defaults come as for every flag (environment, then the config file).
 */
final class StoreOptions {
    @Option(names = "--config", description = "Properties file of defaults (keys are flag names without --).")
    String config;

    @Option(names = "--data-dir", defaultValue = "data",
            description = "Directory for the embedded database and the journal (default ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--db-url", description = "JDBC URL of an external PostgreSQL; without it an embedded PostgreSQL runs under --data-dir.")
    String dbUrl;

    @Option(names = "--db-user", description = "Database user for --db-url.")
    String dbUser;

    @Option(names = "--db-password", description = "Database password for --db-url.")
    String dbPassword;

    @Option(names = "--id-card-key",
            description = "Key (at least 16 characters) of the keyed hash of owners' ID-card numbers; without it "
                    + "ID-card numbers are refused. Keep it secret and the same on every node.")
    String idCardKey;

    /** {@code b} with these options set. */
    EngineConfig.Builder apply(EngineConfig.Builder b) {
        return b.dataDir(dataDir).dbUrl(dbUrl).dbUser(dbUser).dbPassword(dbPassword).idCardKey(idCardKey);
    }

    /** An engine configuration with these options and every other at its default (what {@code import} needs). */
    EngineConfig toConfig() {
        return apply(EngineConfig.builder()).build();
    }
}
