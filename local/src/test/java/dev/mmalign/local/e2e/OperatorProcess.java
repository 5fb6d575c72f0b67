package dev.mmalign.local.e2e;

import dev.mmalign.local.LocalModeSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The packaged operator ({@code quarkus-run.jar}: exactly what the image runs) as a
 * process of its own, pointed at an embedded API server with local mode's settings, so that a test can kill it
 * (SIGKILL, like an OOM kill or a node loss) and start a new one.
 */
final class OperatorProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private OperatorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static OperatorProcess start(Path app, String apiUrl, Map<String, String> extraProperties, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        LocalModeSettings.operatorProperties(apiUrl).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        extraProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(app.resolve("quarkus-run.jar").toString());
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new OperatorProcess(p, log);
    }

    /** Waits until the operator started its controllers ({@link LocalModeSettings#OPERATOR_STARTED_LOG_LINE}). */
    OperatorProcess awaitStarted() {
        await("operator started (log " + log + ")").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("operator exited with " + process.exitValue() + ", see " + log);
                    }
                    return Files.readString(log).contains(LocalModeSettings.OPERATOR_STARTED_LOG_LINE);
                });
        return this;
    }

    /** SIGKILL: no shutdown hooks, no cleanup — the hard case for a restart. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(1, TimeUnit.MINUTES);
    }

    Path log() {
        return log;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
