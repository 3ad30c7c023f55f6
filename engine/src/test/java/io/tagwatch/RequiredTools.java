package io.tagwatch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Programs from Debian's packages that some tests drive (Mosquitto's clients and broker,
 * openssl, Chromium). {@code .ci/run} installs them and sets {@code CI=true}; on a machine
 * without them such a test is skipped with a message naming the package, except under CI,
 * where their absence fails it.
 */
public final class RequiredTools {
    private RequiredTools() {
    }

    /** Skips (or, under CI, fails) the calling test unless every program is on the PATH. */
    public static void require(String debianPackages, String... programs) {
        for (String program : programs) {
            if (find(program) == null) {
                String why = program + " is not installed (apt-get install " + debianPackages + ", as .ci/run does)";
                if (System.getenv("CI") != null) {
                    throw new AssertionError(why);
                }
                org.junit.jupiter.api.Assumptions.abort(why);
            }
        }
    }

    /** The program's path on the PATH (or /usr/sbin, where Debian puts daemons), or null. */
    public static Path find(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/local/sbin";
        return Arrays.stream(path.split(":"))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, program))
                .filter(Files::isExecutable)
                .findFirst().orElse(null);
    }
}
