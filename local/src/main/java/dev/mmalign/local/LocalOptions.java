package dev.mmalign.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The flags of the local command (see {@link #HELP}). Hand-parsed: a handful of flags does not justify a CLI
 * library.
 */
record LocalOptions(List<Path> manifests, int port, Path workDir, Path repoRoot, Path trainerJar, Path operatorApp,
                    boolean prepare, boolean clean, boolean keepRunning, Duration timeout, boolean podClassLists,
                    boolean help) {

    /** The packaged operator relative to the repository root (the operator module's Quarkus build). */
    static final String DEFAULT_OPERATOR_APP = "operator/target/quarkus-app";

    static final String HELP = """
            Usage: java -jar local/target/mmalign-local.jar [OPTIONS] [DIR|FILE ...]

            Runs mmalign on this machine with no cluster: an embedded Kubernetes API server (127.0.0.1 only), the
            packaged operator as a process of its own, and a local Job executor that runs each stage pod as a local
            trainer process. Applies the manifests (default examples/quickstart/), prints progress until every
            resource is Ready, Succeeded or Failed (or blocked by one that failed), then the BenchmarkSuite table and
            where its report is. Exit code 0 when nothing failed, 1 otherwise.

            While it runs, kubectl works against it, e.g.:
              kubectl --server http://127.0.0.1:PORT get mmalign
              kubectl --server http://127.0.0.1:PORT get jobs,pods

            Options:
              --port N             API server port (default: any free port; the URL is printed)
              --work-dir DIR       claims (DIR/volumes/<namespace>/<claim>/), pod logs (DIR/logs/), operator log
                                   (DIR/operator.log), this command's log (DIR/local.log) (default: local-run)
              --repo DIR           repository root holding crds/ (default: found above the current folder)
              --trainer-jar JAR    the trainer (default: <repo>/trainer-image/target/mmalign-trainer.jar)
              --operator-app DIR   the packaged operator, holding quarkus-run.jar
                                   (default: <repo>/operator/target/quarkus-app)
              --no-prepare         do not fill an empty claim with the quickstart world and tiny base model
              --clean              delete the work dir first (a fresh start; otherwise finished stage work is reused)
              --keep-running       stay up after everything finished (for kubectl), until Ctrl-C
              --timeout MINUTES    give up (exit 1) after this long (default 120)
              --pod-class-lists    every stage pod writes the classes it loads into its folder, without the
                                   class-data archive (to remake the trainer's list: see PodClassList)
              -h, --help           this text
            """;

    static LocalOptions parse(String[] args) {
        List<Path> manifests = new ArrayList<>();
        int port = 0;
        Path workDir = Path.of("local-run");   // ignored by the repository's .gitignore
        Path repo = null;
        Path jar = null;
        Path operatorApp = null;
        boolean prepare = true;
        boolean clean = false;
        boolean keep = false;
        Duration timeout = Duration.ofMinutes(120);
        boolean podClassLists = false;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--work-dir" -> workDir = Path.of(value(args, ++i, a));
                case "--repo" -> repo = Path.of(value(args, ++i, a));
                case "--trainer-jar" -> jar = Path.of(value(args, ++i, a));
                case "--operator-app" -> operatorApp = Path.of(value(args, ++i, a));
                case "--no-prepare" -> prepare = false;
                case "--clean" -> clean = true;
                case "--keep-running" -> keep = true;
                case "--timeout" -> timeout = Duration.ofMinutes(Long.parseLong(value(args, ++i, a)));
                case "--pod-class-lists" -> podClassLists = true;
                case "-h", "--help" -> help = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                    }
                    manifests.add(Path.of(a));
                }
            }
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be 0..65535");
        }
        Path root = repo != null ? repo : findRepoRoot(Path.of("").toAbsolutePath());
        if (manifests.isEmpty()) {
            manifests.add(root.resolve("examples/quickstart"));
        }
        Path trainer = jar != null ? jar : root.resolve(LocalExecutorConfig.DEFAULT_TRAINER_JAR);
        Path operator = operatorApp != null ? operatorApp : root.resolve(DEFAULT_OPERATOR_APP);
        return new LocalOptions(List.copyOf(manifests), port, workDir.toAbsolutePath().normalize(),
                root.toAbsolutePath().normalize(), trainer.toAbsolutePath().normalize(),
                operator.toAbsolutePath().normalize(), prepare, clean, keep, timeout, podClassLists, help);
    }

    /** The folder holding crds/ and operator/, at or above {@code from}; {@code from} itself when there is none. */
    static Path findRepoRoot(Path from) {
        for (Path p = from; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("crds")) && Files.isDirectory(p.resolve("operator"))) {
                return p;
            }
        }
        return from;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }
}
