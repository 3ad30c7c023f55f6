package io.tagwatch.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Defaults for options not given on the command line: the environment variable
 * {@code TAGWATCH_<OPTION>} ({@code --db-url} → {@code TAGWATCH_DB_URL}) first, then the key
 * {@code <option>} ({@code db-url}) of the properties file named by {@code --config} or
 * {@code TAGWATCH_CONFIG}, then the option's built-in default.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> env;
    private final String configPath;
    private Properties file;
    private boolean checked;

    EnvironmentDefaults(Map<String, String> env, String configPath) {
        this.env = env;
        this.configPath = configPath;
    }

    static String envName(String longOption) {
        return "TAGWATCH_" + longOption.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName();
        String fromEnv = env.get(envName(name));
        if (fromEnv != null) {
            return fromEnv;
        }
        if ("--config".equals(name)) {
            return null;
        }
        Properties f = configFile();
        if (!checked) {
            checked = true;
            checkKeys(f, option.command());
        }
        return f.getProperty(name.replaceFirst("^--", ""));
    }

    /**
     * Refuses a key of the file that is no option of any command (a typo such as {@code http-prot}
     * was ignored without a word, and the option silently kept its default). A key of another
     * command is fine: one file serves {@code serve} and {@code import} alike.
     */
    private void checkKeys(Properties f, CommandLine.Model.CommandSpec command) {
        java.util.Set<String> known = new java.util.TreeSet<>();
        collectOptions(command.root(), known);
        java.util.Set<String> keys = new java.util.TreeSet<>(f.stringPropertyNames());
        for (String key : keys) {
            if (!known.contains(key)) {
                throw new CommandLine.ParameterException(command.commandLine(), "--config " + configFilePath()
                        + ": unknown key '" + key + "' (keys are the options' long names without --, e.g. "
                        + "http-port=8080; see tagwatch serve --help)");
            }
        }
        if (configFilePath() != null) {
            // the keys, not their values (passwords): which options the file set, unless a flag or variable wins
            org.slf4j.LoggerFactory.getLogger(EnvironmentDefaults.class).info("--config {}: {}", configFilePath(), keys);
        }
    }

    private static void collectOptions(CommandLine.Model.CommandSpec spec, java.util.Set<String> names) {
        for (OptionSpec o : spec.options()) {
            names.add(o.longestName().replaceFirst("^--", ""));
        }
        for (CommandLine sub : spec.subcommands().values()) {
            collectOptions(sub.getCommandSpec(), names);
        }
    }

    private String configFilePath() {
        return configPath != null ? configPath : env.get("TAGWATCH_CONFIG");
    }

    private Properties configFile() {
        if (file != null) {
            return file;
        }
        file = new Properties();
        String path = configFilePath();
        if (path != null) {
            try (InputStream in = Files.newInputStream(Path.of(path))) {
                file.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read --config " + path, e);
            }
        }
        return file;
    }

    /** The value of {@code --config} in the arguments, or null. Read before parsing, as defaults are applied first. */
    static String configArgument(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return args[i + 1];
            }
            if (args[i].startsWith("--config=")) {
                return args[i].substring("--config=".length());
            }
        }
        return null;
    }
}
