package dev.mmalign.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar}, exactly what the image runs) as a
 * child process, pointed at the embedded API server with {@link LocalModeSettings#operatorProperties}.
 *
 * <p>Why a process and not Quarkus booted in this JVM: the operator is a Quarkus application whose build step
 * (augmentation) produced {@code quarkus-app}; running that artifact as is needs nothing from Quarkus here, keeps the
 * mock server and local mode out of the operator's classpath, and is what the end-to-end tests kill and restart.
 *
 * <p>Its whole log goes to a file (Quarkus's file handler), its warnings also to this terminal (the console handler
 * at WARN writes to the inherited stdout).
 */
final class OperatorProcess implements AutoCloseable {

    private static final Duration START_WAIT = Duration.ofMinutes(5);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final long logStart;

    private OperatorProcess(Process process, Path log, long logStart) {
        this.process = process;
        this.log = log;
        this.logStart = logStart;
    }

    /**
     * Starts {@code java -D... -jar <app>/quarkus-run.jar} with local mode's settings, its log file at {@code log},
     * and {@code extraProperties} (given last, so they win).
     */
    static OperatorProcess start(Path app, String apiUrl, Map<String, String> extraProperties, Path log)
            throws IOException {
        return start(app, apiUrl, List.of(), extraProperties, log);
    }

    /** As {@link #start(Path, String, Map, Path)}, with JVM options (heap flags) before the properties. */
    static OperatorProcess start(Path app, String apiUrl, List<String> jvmOptions, Map<String, String> extraProperties,
                                 Path log) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        // The log is appended to (no rotation on boot), so the start line is looked for after what is there now.
        long logStart = Files.isRegularFile(log) ? Files.size(log) : 0;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        LocalModeSettings.operatorProperties(apiUrl).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        LocalModeSettings.operatorLogProperties(log).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        extraProperties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(app.resolve("quarkus-run.jar").toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        p.getOutputStream().close();
        return new OperatorProcess(p, log, logStart);
    }

    /**
     * Waits until the operator has started its controllers.
     *
     * @return false, with the reason on stderr, when it exited or did not start within 5 minutes
     */
    boolean awaitStarted() throws InterruptedException, IOException {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (logSinceStart().contains(LocalModeSettings.OPERATOR_STARTED_LOG_LINE)) {
                return true;
            }
            if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
                System.err.printf("local: the operator exited with code %d before it started (log: %s)%n",
                        process.exitValue(), log);
                return false;
            }
        }
        System.err.printf("local: the operator did not start within %d minutes (log: %s)%n", START_WAIT.toMinutes(),
                log);
        return false;
    }

    private String logSinceStart() throws IOException {
        if (!Files.isRegularFile(log)) {
            return "";
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = f.length() < logStart ? 0 : logStart;   // replaced meanwhile: read it all
            byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE, f.length() - from)];
            f.seek(from);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** The operator's process id (its memory is read from /proc/PID/status). */
    long pid() {
        return process.pid();
    }

    /** Waits until the operator ends by itself (Ctrl-C reaches it as well as this process). */
    void join() throws InterruptedException {
        process.waitFor();
    }

    /** SIGTERM (Quarkus shuts down gracefully), SIGKILL when it is still running after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(STOP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(1, TimeUnit.MINUTES);
        }
    }
}
