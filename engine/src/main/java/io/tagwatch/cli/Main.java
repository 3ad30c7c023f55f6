package io.tagwatch.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tagwatch}: one executable with a subcommand per job. */
@Command(name = "tagwatch", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Ingestion engine for anti-theft RFID tags on e-bikes and motorcycles.",
        subcommands = {ServeCommand.class, DemoCommand.class, SimulateCommand.class, ImportCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Netty's default samples one buffer in 128 and records a stack trace for it: under load
            // 14 % of the engine's allocation (JFR), for leaks the tests already hunt at the
            // paranoid level. -Dio.netty.leakDetection.level=simple brings it back.
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        System.exit(commandLine(System.getenv(), EnvironmentDefaults.configArgument(args)).execute(args));
    }

    /** The configured command line; {@code env} supplies {@code TAGWATCH_*} defaults (tests pass their own). */
    public static CommandLine commandLine(java.util.Map<String, String> env, String configPath) {
        CommandLine cl = new CommandLine(new Main());
        cl.setDefaultValueProvider(new EnvironmentDefaults(env, configPath));
        cl.registerConverter(java.time.Duration.class, Durations::parse);
        // A wrong option or setting: the reason and where help is, not the whole usage (two
        // hundred lines that scrolled the reason off the screen).
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine line = ex.getCommandLine();
            java.io.PrintWriter err = line.getErr();
            err.println("tagwatch: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("See '" + line.getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return line.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((ex, line, parse) -> {
            line.getErr().println("tagwatch: " + ex.getMessage());
            return 2;
        });
        return cl;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"tagwatch " + (v == null ? "dev" : v)};
        }
    }
}
