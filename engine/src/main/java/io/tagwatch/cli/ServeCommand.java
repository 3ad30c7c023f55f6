package io.tagwatch.cli;

import io.tagwatch.Engine;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tagwatch serve}: runs the engine until SIGTERM / Ctrl-C, then stops it in order. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the engine.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    EngineOptions options;

    @Override
    public Integer call() throws InterruptedException {
        Engine engine = Engine.start(options.toConfig());
        engine.generatedAdminPassword().ifPresent(p -> System.out.println(
                "Created user admin with password " + p + " (shown once; set TAGWATCH_ADMIN_PASSWORD to choose it)"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
        return 0;
    }
}
