package dev.mmalign.local;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One pod's container running as a local process: stdout and stderr appended to the pod's log file, the exit code
 * (128 + signal when killed, as a container runtime reports it) and the termination message read when it ends.
 * A process that cannot be started at all ends at once with exit code 128 and reason StartError.
 */
final class PodProcess {

    /** Kubernetes caps termination messages at 4096 bytes. */
    private static final int MAX_MESSAGE = 4096;
    private static final int FALLBACK_LOG_BYTES = 2048;

    private final Process process;
    private final String startError;
    private final Path logFile;
    private final Path terminationFile;
    private final boolean fallbackToLogsOnError;
    private final Instant startedAt = Instant.now();
    private final CompletableFuture<PodProcess> exited;
    private volatile Instant finishedAt;

    private PodProcess(Process process, String startError, Path logFile, Path terminationFile,
                       boolean fallbackToLogsOnError) {
        this.process = process;
        this.startError = startError;
        this.logFile = logFile;
        this.terminationFile = terminationFile;
        this.fallbackToLogsOnError = fallbackToLogsOnError;
        CompletableFuture<?> onExit = process == null ? CompletableFuture.completedFuture(null) : process.onExit();
        this.exited = onExit.thenApply(p -> {
            finishedAt = Instant.now();
            return this;
        });
    }

    /** Starts {@code command}; never throws: a failure to start becomes a process that ended with StartError. */
    static PodProcess start(List<String> command, Map<String, String> env, Path workingDir, Path logFile,
                            Path terminationFile, boolean fallbackToLogsOnError) {
        try {
            Files.createDirectories(logFile.getParent());
            Files.createDirectories(workingDir);
            ProcessBuilder pb = new ProcessBuilder(command).directory(workingDir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(env);
            return new PodProcess(pb.start(), null, logFile, terminationFile, fallbackToLogsOnError);
        } catch (IOException | RuntimeException e) {
            return failedToStart(e.getMessage(), logFile, terminationFile);
        }
    }

    /** A pod that could not even be prepared (missing ConfigMap, bad mount): ends at once with StartError. */
    static PodProcess failedToStart(String message, Path logFile, Path terminationFile) {
        return new PodProcess(null, message == null ? "failed to start" : message, logFile, terminationFile, false);
    }

    /** Completes (with this) when the process has ended. */
    CompletableFuture<PodProcess> onExit() {
        return exited;
    }

    boolean isDone() {
        return exited.isDone();
    }

    /** Whether the process itself still runs ({@link #isDone} may lag behind its exit by a moment). */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    String startError() {
        return startError;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    int exitCode() {
        return process == null ? 128 : process.exitValue();
    }

    Instant startedAt() {
        return startedAt;
    }

    Instant finishedAt() {
        return finishedAt;
    }

    /**
     * SIGTERM now (what {@link Process#destroy()} sends on Linux), SIGKILL to the process and its descendants
     * after the grace period if it is still running — the kubelet's termination sequence.
     */
    void terminate(Duration grace, ScheduledExecutorService scheduler) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        scheduler.schedule(() -> {
            if (process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** SIGKILL now, descendants included (used when the executor shuts down and cannot wait). */
    void kill() {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * The container's termination message: the termination file's content (at most 4096 bytes), or with
     * FallbackToLogsOnError and an empty file after a failure, the end of the log; the start error if any.
     */
    String terminationMessage() {
        if (startError != null) {
            return startError;
        }
        String msg = readCapped(terminationFile, MAX_MESSAGE, false);
        if (msg.isEmpty() && fallbackToLogsOnError && exitCode() != 0) {
            msg = readCapped(logFile, FALLBACK_LOG_BYTES, true);
        }
        return msg;
    }

    private static String readCapped(Path file, int max, boolean tail) {
        if (file == null || !Files.isRegularFile(file)) {
            return "";
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, max);
            f.seek(tail ? len - n : 0);
            byte[] buf = new byte[n];
            f.readFully(buf);
            return new String(buf, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
