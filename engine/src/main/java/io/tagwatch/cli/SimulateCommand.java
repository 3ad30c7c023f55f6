package io.tagwatch.cli;

import io.tagwatch.sim.CityGrid;
import io.tagwatch.sim.CitySimulation;
import io.tagwatch.sim.Fleet;
import io.tagwatch.sim.ReaderClient;
import io.tagwatch.sim.ReaderCredentials;
import io.tagwatch.sim.SimClock;
import io.tagwatch.sim.SimReader;
import io.tagwatch.sim.TrafficModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tagwatch simulate}: the simulated city's readers as Eclipse Paho clients against any
 * MQTT broker or TagWatch engine. Secrets come from {@code --credentials}, or are provisioned
 * through a TagWatch API ({@code --api}); with neither, each reader connects with its id as
 * user name and an empty password (a broker allowing anonymous clients). Thefts happen in the
 * city but nothing reports them (that is the owners' job, through the API). Exit code 1 when
 * a batch was not acknowledged.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run the simulated city's readers (Paho clients) against any MQTT broker or TagWatch engine.")
final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--broker", required = true, description = "Broker URI, e.g. tcp://localhost:1883.")
    String broker;

    @Mixin
    CityOptions city;

    @Option(names = "--duration", defaultValue = "60s", description = "How long to publish, real time (default ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--speed", defaultValue = "60",
            description = "Simulated seconds per real second; 60 = an hour a minute (default ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--payload", defaultValue = "mixed",
            description = "binary, json, or mixed (even-numbered readers binary, the others JSON) (default ${DEFAULT-VALUE}).")
    String payload;

    @Option(names = "--qos", defaultValue = "1", description = "QoS of the reads, 0 or 1 (default ${DEFAULT-VALUE}).")
    int qos;

    @Option(names = "--credentials", description = "File of 'readerId secret' lines; readers provisioned with --api are appended.")
    Path credentials;

    @Option(names = "--api", description = "TagWatch API to provision missing readers through, e.g. http://localhost:8080.")
    String api;

    @Option(names = "--api-user", defaultValue = "admin", description = "Admin user for --api (default ${DEFAULT-VALUE}).")
    String apiUser;

    @Option(names = "--api-password", description = "Password of --api-user (or TAGWATCH_API_PASSWORD).")
    String apiPassword;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        CitySimulation.Payload form = switch (payload) {
            case "binary" -> CitySimulation.Payload.BINARY;
            case "json" -> CitySimulation.Payload.JSON;
            case "mixed" -> CitySimulation.Payload.MIXED;
            default -> throw new IllegalArgumentException("--payload " + payload + ": expected binary, json or mixed");
        };
        CityGrid grid = new CityGrid(city.readers);
        Map<String, String> secrets = ReaderCredentials.read(credentials);
        if (api != null) {
            String password = apiPassword != null ? apiPassword : System.getenv("TAGWATCH_API_PASSWORD");
            if (password == null) {
                throw new IllegalArgumentException("--api needs --api-password (or TAGWATCH_API_PASSWORD)");
            }
            ReaderCredentials.provision(grid, secrets, api, apiUser, password, credentials);
        }
        Map<String, String> login = new LinkedHashMap<>();
        for (SimReader r : grid.readers()) {
            login.put(r.id(), secrets.getOrDefault(r.id(), ""));
        }
        out.printf("Simulating %,d vehicles and %d readers against %s (%s payloads, QoS %d) for %s at %s times real time%n",
                city.vehicles, city.readers, broker, payload, qos, Durations.format(duration), speed);
        Map<String, ReaderClient> clients = ReaderClient.connectAll(broker, login, qos);
        try {
            Fleet fleet = new Fleet(city.vehicles, city.seed);
            long simStart = city.startTime.toSecondOfDay() * 1000L;
            TrafficModel model = new TrafficModel(grid, fleet, city.seed, simStart, city.stolen,
                    Math.round(duration.toMillis() * speed) / 2);
            AtomicInteger thefts = new AtomicInteger();
            CitySimulation sim = new CitySimulation(grid, fleet, model,
                    new SimClock(System.currentTimeMillis(), simStart, speed), clients, form, city.seed,
                    (theft, tag) -> thefts.incrementAndGet());
            long[] last = {0};
            long start = System.nanoTime();
            sim.run(duration.toMillis(), 200, () -> {
                // "waiting": sent, neither acknowledged nor failed yet — it grows while the engine stops acknowledging
                long sent = sim.batchesSent();
                long acked = sim.batchesAcked();
                long failed = sim.batchesFailed();
                out.printf("  t=%3ds  reads/s sent %,7d  batches sent %,9d  acknowledged %,9d  waiting %,7d  failed %,d%n",
                        Math.round((System.nanoTime() - start) / 1e9), sim.readsSent() - last[0], sent, acked,
                        Math.max(0, sent - acked - failed), failed);
                last[0] = sim.readsSent();
            });
            sim.awaitAcks();
            out.printf("Sent %,d reads of %,d passes in %,d batches: %,d acknowledged, %,d failed; %d thefts "
                    + "(not reported: report them through the API to see hits)%n", sim.readsSent(), sim.passes(),
                    sim.batchesSent(), sim.batchesAcked(), sim.batchesFailed(), thefts.get());
            return sim.batchesAcked() == sim.batchesSent() ? 0 : 1;
        } finally {
            ReaderClient.closeAll(clients.values());
        }
    }
}
