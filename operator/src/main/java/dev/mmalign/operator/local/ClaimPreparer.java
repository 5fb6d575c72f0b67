package dev.mmalign.operator.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Fills an empty claim folder with what the quickstart manifests expect — {@link #LAYOUT}: the synthetic world under
 * {@code synthetic/} and the tiny base model under {@code models/tiny-base/}. A claim that holds anything is left
 * alone: it is the user's data, or an earlier run's (whose finished stage work the trainer reuses).
 *
 * <p>Two ways, by what the trainer offers: {@code quickstart --prepare-only --out DIR} writes that layout directly
 * (the agreed contract); a trainer without that option runs the whole {@code quickstart --out TMP} command, which is
 * stopped as soon as its base model is trained (its first two steps: world, visual instruction tuning), and the
 * pieces are moved into that layout ({@link #QUICKSTART_PIECES}).
 *
 * <p>Either way the claim is assembled in a sibling folder that is renamed into place only when complete, so an
 * interrupted preparation is redone rather than mistaken for a prepared claim.
 */
public final class ClaimPreparer {

    /** The trainer command line after {@code java -jar <jar>}, DIR appended. */
    static final List<String> PREPARE_ARGS = List.of("quickstart", "--prepare-only", "--out");

    /** What a prepared claim holds (paths of examples/quickstart/*.yaml). */
    public static final List<String> LAYOUT = List.of("synthetic/images", "synthetic/train/prompts.jsonl",
            "synthetic/heldout/pope.jsonl", "synthetic/heldout/mmbench.tsv", "synthetic/heldout/text-only.jsonl",
            "models/tiny-base/config.json");

    /** Where the full quickstart command leaves each piece (its own layout) → where the manifests expect it. */
    static final Map<String, String> QUICKSTART_PIECES = quickstartPieces();

    /** Marks the base model of the full quickstart as complete (written after the merged model). */
    private static final String QUICKSTART_BASE_DONE = "mmalign/runs/base/train-complete.json";
    private static final Duration FULL_QUICKSTART_LIMIT = Duration.ofMinutes(30);

    private static Map<String, String> quickstartPieces() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("world/images", "synthetic/images");
        m.put("world/prompts-pref.jsonl", "synthetic/train/prompts.jsonl");
        m.put("world/pope-heldout.jsonl", "synthetic/heldout/pope.jsonl");
        m.put("world/mmbench-heldout.tsv", "synthetic/heldout/mmbench.tsv");
        m.put("world/text-heldout.jsonl", "synthetic/heldout/text-only.jsonl");
        m.put("mmalign/runs/base/merged", "models/tiny-base");
        return Map.copyOf(m);
    }

    private final Path trainerJar;
    private final List<String> quickstartOptions;
    private final Map<String, String> env;
    private final Path logDir;
    private final PrintStream out;

    /**
     * @param quickstartOptions options of the trainer's quickstart command added to either way, e.g. smaller world
     *                          sizes for tests ({@code --vit-scenes 10}); empty for the quickstart's own defaults
     */
    public ClaimPreparer(Path trainerJar, List<String> quickstartOptions, Map<String, String> env, Path logDir,
                         PrintStream out) {
        this.trainerJar = trainerJar;
        this.quickstartOptions = List.copyOf(quickstartOptions);
        this.env = env;
        this.logDir = logDir;
        this.out = out;
    }

    /** The claims the objects mount ({@code spec.storage.claimName}), as {@code namespace/claim}. */
    public static Set<String> claims(List<HasMetadata> items, String defaultNamespace) {
        Set<String> claims = new LinkedHashSet<>();
        for (HasMetadata item : items) {
            JsonNode claim = Serialization.jsonMapper().valueToTree(item).path("spec").path("storage").path("claimName");
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
        deleteTree(staging);
        Files.createDirectories(staging);
        Files.createDirectories(logDir);
        Path log = logDir.resolve("prepare-" + claim.replace('/', '-') + ".log");
        boolean direct = trainerHasPrepareOnly();
        out.printf("claim %s: empty, preparing the quickstart world and tiny base model%s (log: %s)%n", claim,
                direct ? "" : " with the full quickstart command, stopped after the base model", log);
        boolean ok = direct ? prepareDirectly(staging, log) : prepareFromFullQuickstart(staging, log);
        if (!ok) {
            out.printf("claim %s: preparing failed, see %s%n", claim, log);
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

    /** Whether {@code quickstart --help} of this trainer lists {@code --prepare-only}. */
    boolean trainerHasPrepareOnly() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java("quickstart", "--help")).redirectErrorStream(true).start();
        String help = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return p.waitFor() == 0 && help.contains("--prepare-only");
    }

    private boolean prepareDirectly(Path staging, Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(PREPARE_ARGS);
        cmd.add(staging.toString());
        cmd.addAll(quickstartOptions);
        return start(java(cmd.toArray(String[]::new)), log).waitFor() == 0;
    }

    private boolean prepareFromFullQuickstart(Path staging, Path log) throws IOException, InterruptedException {
        Path full = staging.resolve(".quickstart");
        List<String> cmd = new ArrayList<>(List.of("quickstart", "--out", full.toString()));
        cmd.addAll(quickstartOptions);
        Process p = start(java(cmd.toArray(String[]::new)), log);
        long deadline = System.nanoTime() + FULL_QUICKSTART_LIMIT.toNanos();
        while (!Files.exists(full.resolve(QUICKSTART_BASE_DONE))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                return false;
            }
            Thread.sleep(500);
        }
        // The rest of the quickstart (sampling, training the four runs, evaluation) is what local mode's
        // resources will do: stop it (SIGTERM, it checkpoints and exits).
        p.destroy();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        for (Map.Entry<String, String> piece : QUICKSTART_PIECES.entrySet()) {
            Path to = staging.resolve(piece.getValue());
            Files.createDirectories(to.getParent());
            Files.move(full.resolve(piece.getKey()), to);
        }
        deleteTree(full);
        return true;
    }

    private List<String> java(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", trainerJar.toString()));
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
