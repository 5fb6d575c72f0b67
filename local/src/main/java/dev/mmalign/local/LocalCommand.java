package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code java -jar local/target/mmalign-local.jar [OPTIONS] [DIR|FILE ...]} ({@link LocalOptions#HELP}): starts the
 * embedded API server and installs {@code crds/}, starts filling an empty quickstart claim, starts the packaged
 * operator ({@link OperatorProcess}) pointed at the server and applies the manifests ({@link LocalRun#apply}) beside
 * it, then, once the claim is ready, starts the local Job executor and follows the manifests to the end
 * ({@link LocalRun#follow}). Everything is stopped on the way out.
 */
public final class LocalCommand {

    private LocalCommand() {
    }

    /** The entry point of {@code mmalign-local.jar}. */
    public static void main(String[] args) {
        if (!LocalJvm.runsHere()) {
            // java -jar cannot carry JVM options: the command runs in a second JVM that has them (LocalJvm).
            List<String> command = LocalJvm.command(Path.of(System.getProperty("java.home")),
                    ManagementFactory.getRuntimeMXBean().getInputArguments(), System.getenv(),
                    System.getProperty("java.class.path"), LocalCommand.class.getName(), args);
            try {
                System.exit(LocalJvm.runChild(command));
            } catch (IOException e) {
                System.err.println("local: cannot start " + command.get(0) + " (" + e.getMessage()
                        + "); running with this JVM's options");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                System.exit(1);
            }
        }
        System.exit(run(args));
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
        if (!Files.isRegularFile(o.operatorApp().resolve("quarkus-run.jar"))) {
            System.err.printf("local: packaged operator not found: %s (build it: mvn -B -pl operator -am package"
                    + " -DskipTests, or pass --operator-app)%n", o.operatorApp().resolve("quarkus-run.jar"));
            return 2;
        }
        if (o.clean()) {
            ClaimPreparer.deleteTree(o.workDir());
        }
        Files.createDirectories(o.workDir());
        LocalLogging.toFile(o.workDir());

        EmbeddedApiServer api = EmbeddedApiServer.start(o.port());
        AtomicReference<LocalJobExecutor> executor = new AtomicReference<>();
        AtomicReference<OperatorProcess> operatorProcess = new AtomicReference<>();
        AtomicReference<ClaimPreparer> preparer = new AtomicReference<>();
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                if (preparer.get() != null) {
                    try {
                        preparer.get().stop(); // the trainer preparing a claim keeps its work and ends
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (operatorProcess.get() != null) {
                    try {
                        operatorProcess.get().close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                if (executor.get() != null) {
                    executor.get().close();
                }
                api.close();
            }
        };
        try {
            out.printf("API server: %s (127.0.0.1 only)%n", api.url());
            out.printf("  kubectl --server %s get mmalign%n", api.url());
            out.printf("  kubectl --server %s get jobs,pods%n", api.url());

            List<HasMetadata> manifests = ManifestApplier.read(api.client(), o.manifests());
            Map<String, String> podEnv = LocalModeSettings.podEnv(api.url(), o.repoRoot());
            // SIGTERM and Ctrl-C end the JVM through shutdown hooks: the trainer preparing a claim, the pod processes
            // and the operator must not outlive it.
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "mmalign-local-stop"));

            // The claim preparation, the run's longest step, needs nothing the server holds: it starts first, and the
            // CRDs, the PriorityClasses and the operator (which has nothing to watch until the manifests are
            // applied) are set up beside it, so that none of their start-up is added to the run's time.
            // Trainer JVMs map the class-data archive the trainer's build dumped beside its jar (TrainerJvm).
            Path archive = TrainerJvm.archive(o.trainerJar());
            preparer.set(new ClaimPreparer(o.trainerJar(), TrainerJvm.preparationOptions(archive), List.of(), podEnv,
                    o.workDir().resolve("logs"), out));
            FutureTask<Boolean> prepared = new FutureTask<>(() -> !o.prepare()
                    || prepareClaims(preparer.get(), manifests, api, o.workDir()));
            Thread preparing = new Thread(prepared, "mmalign-local-prepare");
            preparing.setDaemon(true);
            preparing.start();

            api.installCrds(crds);
            // As a chart install: the stage PriorityClasses exist and the operator gives them to stage pods, so
            // that the executor starts dataset stages before trainings before evaluations (PodPriorities).
            Map<String, String> operatorOptions = PodPriorities.installStageClasses(api.client(), o.repoRoot())
                    ? Map.of(LocalModeSettings.STAGE_PRIORITY_CLASSES, "true") : Map.of();
            Path operatorLog = o.workDir().resolve("operator.log");
            out.printf("starting the operator (log: %s)%n", operatorLog);
            OperatorProcess operator = OperatorProcess.start(o.operatorApp(), api.url(),
                    LocalModeSettings.operatorJvmOptions(), operatorOptions, operatorLog);
            operatorProcess.set(operator);
            if (!operator.awaitStarted()) {
                return 1;
            }
            // Applied while the claim is prepared: the operator creates the Jobs meanwhile. The local executor, which
            // creates their pods and starts them, starts once the claim is ready (as a cluster's pods wait for their
            // volume), and then starts every pod in the scheduler's queue order (priority, then age): the dataset's
            // sample pods before the suite's evaluations. Applied once the claim was ready, an evaluation whose Job
            // the operator created a moment before the sample Job could take a slot before the second sample pod.
            List<HasMetadata> applied = LocalRun.apply(api, manifests, out);
            if (!awaitPrepared(prepared)) {
                return 1;
            }
            List<String> podOptions = o.podClassLists() ? TrainerJvm.classListingPodOptions()
                    : TrainerJvm.podOptions(archive);
            LocalJobExecutor jobs = new LocalJobExecutor(api.newClient(),
                    LocalExecutorConfig.defaults(o.repoRoot(), o.workDir())
                            .withTrainerJar(o.trainerJar(), podOptions).withExtraEnv(podEnv));
            executor.set(jobs);
            jobs.start();
            int code = LocalRun.follow(new LocalSession(o, api, jobs, manifests, out, start), applied);
            if (o.keepRunning()) {
                out.printf("still serving %s (--keep-running); Ctrl-C to stop%n", api.url());
                operator.join();
            }
            return code;
        } finally {
            stop.run();
        }
    }

    /** The preparation's outcome; its failure (an exception in the preparing thread) is thrown here. */
    private static boolean awaitPrepared(FutureTask<Boolean> prepared) throws Exception {
        try {
            return prepared.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static boolean prepareClaims(ClaimPreparer preparer, List<HasMetadata> manifests, EmbeddedApiServer api,
                                         Path workDir) throws Exception {
        VolumeMapper volumes = new VolumeMapper(api.client(), workDir.toAbsolutePath().normalize());
        for (String claim : ClaimPreparer.claims(manifests, "default")) {
            String[] nsAndName = claim.split("/", 2);
            if (!preparer.prepareIfEmpty(claim, volumes.claimDir(nsAndName[0], nsAndName[1]))) {
                return false;
            }
        }
        return true;
    }
}
