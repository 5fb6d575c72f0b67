package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.stage.QuickstartClaim;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Fills an empty claim folder with what the quickstart manifests expect — {@link #LAYOUT}: the synthetic world under
 * {@code synthetic/} and the tiny base model under {@code models/tiny-base/}. A claim that holds anything is left
 * alone: it is the user's data, or an earlier run's (whose finished stage work the trainer reuses).
 *
 * <p>The trainer writes that layout: {@code mmalign-trainer quickstart --prepare-only --out DIR} (the world, then the
 * tiny base tuned on it; its own working folder {@code DIR/.quickstart} stays beside them). The claim is assembled in
 * a sibling folder that is renamed into place only when complete, so an interrupted preparation is never mistaken
 * for a prepared claim; the next preparation goes on in that folder, and the trainer resumes its work there (each of
 * its stages is resumable, a training from its checkpoint).
 *
 * <p>{@link #stop()} (local mode's shutdown hook, on SIGTERM or Ctrl-C) sends SIGTERM to the trainer process, which
 * stops after the step in hand keeping its work, waits for it to end, and kills what is left after
 * {@link #STOP_WAIT_SECONDS}: the preparer leaves no process behind.
 */
public final class ClaimPreparer {

    /** How long {@link #stop()} waits for the trainer after SIGTERM: its own grace period (25 s) and some. */
    static final long STOP_WAIT_SECONDS = 40;

    /** The trainer command line after {@code java -jar <jar>}, DIR appended. */
    static final List<String> PREPARE_ARGS = List.of("quickstart", "--prepare-only", "--out");

    /** What a prepared claim holds (paths of examples/quickstart/*.yaml). */
    public static final List<String> LAYOUT = QuickstartClaim.REQUIRED;

    private final Path trainerJar;
    private final List<String> jvmOptions;
    private final List<String> quickstartOptions;
    private final Map<String, String> env;
    private final Path logDir;
    private final PrintStream out;
    /** The trainer process while one runs (guarded by this). */
    private Process running;
    /** Set by {@link #stop()}: no further trainer starts (guarded by this). */
    private boolean stopped;

    /**
     * @param quickstartOptions options of the trainer's quickstart command, e.g. smaller world sizes for tests
     *                          ({@code --vit-scenes 10}); empty for the quickstart's own defaults
     */
    public ClaimPreparer(Path trainerJar, List<String> quickstartOptions, Map<String, String> env, Path logDir,
                         PrintStream out) {
        this(trainerJar, List.of(), quickstartOptions, env, logDir, out);
    }

    /** As above, with JVM options of the trainer process (local mode's class-data archive: {@link TrainerJvm}). */
    public ClaimPreparer(Path trainerJar, List<String> jvmOptions, List<String> quickstartOptions,
                         Map<String, String> env, Path logDir, PrintStream out) {
        this.trainerJar = trainerJar;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.quickstartOptions = List.copyOf(quickstartOptions);
        this.env = env;
        this.logDir = logDir;
        this.out = out;
    }

    /**
     * The claims the objects mount ({@code spec.storage.claimName}; an AlignmentSweep's children that of its
     * {@code spec.template.storage}), as {@code namespace/claim}.
     */
    public static Set<String> claims(List<HasMetadata> items, String defaultNamespace) {
        Set<String> claims = new LinkedHashSet<>();
        for (HasMetadata item : items) {
            JsonNode spec = Serialization.jsonMapper().valueToTree(item).path("spec");
            JsonNode claim = spec.has("template") ? spec.path("template").path("storage").path("claimName")
                    : spec.path("storage").path("claimName");
            if (claim.isTextual() && !claim.asText().isEmpty()) {
                String ns = item.getMetadata().getNamespace() != null ? item.getMetadata().getNamespace()
                        : defaultNamespace;
                claims.add(ns + "/" + claim.asText());
            }
        }
        return claims;
    }

    static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** Prepares {@code claimDir} when it is empty; returns false (with the reason printed) when that failed. */
    public boolean prepareIfEmpty(String claim, Path claimDir) throws IOException, InterruptedException {
        if (!isEmpty(claimDir)) {
            out.printf("claim %s: using %s as it is%n", claim, claimDir);
            return true;
        }
        Path staging = claimDir.resolveSibling(claimDir.getFileName() + ".preparing");
        Files.createDirectories(logDir);
        Path log = logDir.resolve("prepare-" + claim.replace('/', '-') + ".log");
        if (isEmpty(staging)) {
            Files.createDirectories(staging);
            out.printf("claim %s: empty, preparing the quickstart world and tiny base model (log: %s)%n", claim, log);
        } else {
            out.printf("claim %s: empty, resuming the interrupted preparation in %s (delete that folder to start over;"
                    + " log: %s)%n", claim, staging, log);
        }
        if (!prepare(staging, log)) {
            if (isStopped()) {
                out.printf("claim %s: preparation stopped; its work so far is kept in %s and the next run resumes"
                        + " it%n", claim, staging);
            } else {
                out.printf("claim %s: preparing failed, see %s%n", claim, log);
            }
            return false;
        }
        for (String piece : LAYOUT) {
            if (!Files.exists(staging.resolve(piece))) {
                out.printf("claim %s: the prepared folder lacks %s, see %s%n", claim, piece, log);
                return false;
            }
        }
        deleteTree(claimDir);
        Files.move(staging, claimDir);
        out.printf("claim %s: prepared in %s%n", claim, claimDir);
        return true;
    }

    /** {@code quickstart --prepare-only --out DIR [options]}; true when it exited 0, false when stopped. */
    private boolean prepare(Path staging, Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(PREPARE_ARGS);
        cmd.add(staging.toString());
        cmd.addAll(quickstartOptions);
        Process p;
        synchronized (this) {
            if (stopped) {
                return false;
            }
            p = start(java(cmd.toArray(String[]::new)), log);
            running = p;
        }
        try {
            return p.waitFor() == 0;
        } finally {
            synchronized (this) {
                running = null;
            }
        }
    }

    /**
     * Stops the preparation: no trainer starts after this, and a running one gets SIGTERM (it stops after the step in
     * hand, keeping its work for the next run) and is waited for; after {@link #STOP_WAIT_SECONDS} it and anything it
     * started are killed. Returns when no process of the preparer is left.
     */
    public void stop() throws InterruptedException {
        Process p;
        synchronized (this) {
            stopped = true;
            p = running;
        }
        if (p == null) {
            return;
        }
        p.destroy(); // SIGTERM
        if (!p.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    private List<String> java(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(trainerJar.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Process start(List<String> cmd, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
