package dev.mmalign.operator.local;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code quarkus-run.jar local [OPTIONS] [DIR|FILE ...]} ({@link LocalOptions#HELP}): starts the embedded API server
 * and installs {@code crds/}, fills an empty quickstart claim, starts the local Job executor, then boots this
 * operator (the normal Quarkus application, {@link OperatorThread}) pointed at the server, and runs
 * {@link LocalRun}, which applies the manifests and follows them to the end. Everything is stopped on the way out.
 */
public final class LocalCommand {

    public static final String NAME = "local";

    private LocalCommand() {
    }

    /** Runs local mode; returns the process exit code (0 success, 1 a resource failed or timed out, 2 usage). */
    public static int run(String[] args) {
        PrintStream out = System.out;
        LocalOptions options;
        try {
            options = LocalOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("local: " + e.getMessage());
            return 2;
        }
        if (options.help()) {
            out.print(LocalOptions.HELP);
            return 0;
        }
        try {
            return run(options, out);
        } catch (Exception e) {
            System.err.println("local: " + e);
            return 1;
        }
    }

    static int run(LocalOptions o, PrintStream out) throws Exception {
        Instant start = Instant.now();
        Path crds = o.repoRoot().resolve("crds");
        if (!Files.isDirectory(crds)) {
            System.err.printf("local: no crds/ in %s (run from the repository, or pass --repo)%n", o.repoRoot());
            return 2;
        }
        if (!Files.isRegularFile(o.trainerJar())) {
            System.err.printf("local: trainer jar not found: %s (build it: mvn -B -pl trainer-image -am package"
                    + " -DskipTests, or pass --trainer-jar)%n", o.trainerJar());
            return 2;
        }
        if (o.clean()) {
            ClaimPreparer.deleteTree(o.workDir());
        }
        Files.createDirectories(o.workDir());

        EmbeddedApiServer api = EmbeddedApiServer.start(o.port());
        AtomicReference<LocalJobExecutor> executor = new AtomicReference<>();
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                if (executor.get() != null) {
                    executor.get().close();
                }
                api.close();
            }
        };
        try {
            api.installCrds(crds);
            out.printf("API server: %s (127.0.0.1 only)%n", api.url());
            out.printf("  kubectl --server %s get mmalign%n", api.url());
            out.printf("  kubectl --server %s get jobs,pods%n", api.url());

            List<HasMetadata> manifests = ManifestApplier.read(api.client(), o.manifests());
            Map<String, String> podEnv = LocalModeSettings.podEnv(api.url(), o.repoRoot(), o.workDir());
            LocalJobExecutor jobs = new LocalJobExecutor(api.newClient(),
                    LocalExecutorConfig.defaults(o.repoRoot(), o.workDir()).withTrainerJar(o.trainerJar(), List.of())
                            .withExtraEnv(podEnv));
            executor.set(jobs);
            if (o.prepare() && !prepareClaims(o, manifests, jobs, podEnv, out)) {
                return 1;
            }
            jobs.start();
            // Ctrl-C ends the JVM through shutdown hooks: the pod processes must not outlive it.
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "mmalign-local-stop"));

            LocalModeSettings.operatorProperties(api.url()).forEach(System::setProperty);
            // Operator logs go to a file so that the terminal shows the progress lines; warnings still show.
            System.setProperty("quarkus.log.file.enabled", "true");
            // "unstable version v1alpha1" warnings are noise for a user of local mode.
            System.setProperty("quarkus.log.category.\"io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils\".level",
                    "ERROR");
            System.setProperty("quarkus.log.file.path", o.workDir().resolve("operator.log").toString());
            System.setProperty("quarkus.log.console.level", "WARN");
            System.setProperty("quarkus.banner.enabled", "false");
            out.printf("starting the operator (log: %s)%n", o.workDir().resolve("operator.log"));

            OperatorThread operator = OperatorThread.start();
            if (!operator.awaitStarted()) {
                return 1;
            }
            int code = LocalRun.run(new LocalSession(o, api, jobs, manifests, out, start));
            if (o.keepRunning()) {
                out.printf("still serving %s (--keep-running); Ctrl-C to stop%n", api.url());
                operator.join();
            }
            operator.stop();
            return code;
        } finally {
            stop.run();
        }
    }

    private static boolean prepareClaims(LocalOptions o, List<HasMetadata> manifests, LocalJobExecutor jobs,
                                         Map<String, String> env, PrintStream out) throws Exception {
        ClaimPreparer preparer = new ClaimPreparer(o.trainerJar(), List.of(), env, o.workDir().resolve("logs"), out);
        for (String claim : ClaimPreparer.claims(manifests, "default")) {
            String[] nsAndName = claim.split("/", 2);
            if (!preparer.prepareIfEmpty(claim, jobs.claimDir(nsAndName[0], nsAndName[1]))) {
                return false;
            }
        }
        return true;
    }
}
