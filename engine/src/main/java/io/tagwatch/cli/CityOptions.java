package io.tagwatch.cli;

import java.time.LocalTime;
import picocli.CommandLine.Option;

/** The simulated city's flags, shared by {@code demo} and {@code simulate}. */
final class CityOptions {
    @Option(names = "--vehicles", defaultValue = "220000", description = "Registered vehicles (default ${DEFAULT-VALUE}).")
    int vehicles;

    @Option(names = "--readers", defaultValue = "400", description = "Readers at the grid's junctions (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = "--stolen", defaultValue = "40", description = "Thefts during the run (default ${DEFAULT-VALUE}).")
    int stolen;

    @Option(names = "--start", defaultValue = "07:30", description = "Simulated time of day at the start (default ${DEFAULT-VALUE}).")
    LocalTime startTime;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the simulation (default ${DEFAULT-VALUE}).")
    long seed;
}
