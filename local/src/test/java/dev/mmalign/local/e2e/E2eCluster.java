package dev.mmalign.local.e2e;

import dev.mmalign.api.common.Progress;
import dev.mmalign.local.ClaimPreparer;
import dev.mmalign.local.EmbeddedApiServer;
import dev.mmalign.local.LocalExecutorConfig;
import dev.mmalign.local.LocalJobExecutor;
import dev.mmalign.local.LocalModeSettings;
import dev.mmalign.local.ManifestApplier;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;


/**
 * A cluster on this machine for one test: the embedded API server and the local Job executor in the test JVM (so
 * that the test can evict pods and look at logs), the packaged operator as a separate process (so that it can be
 * killed), and a claim holding a copy of the {@link WorldTemplate}. Pods report progress every second.
 */
final class E2eCluster implements AutoCloseable {

    static final String NS = "default";

    final Path workDir;
    final EmbeddedApiServer api;
    final KubernetesClient client;
    final LocalJobExecutor jobs;
    private OperatorProcess operator;
    private int operatorStarts;

    private E2eCluster(Path workDir, EmbeddedApiServer api, LocalJobExecutor jobs) {
        this.workDir = workDir;
        this.api = api;
        this.client = api.client();
        this.jobs = jobs;
    }

    static E2eCluster start(String name) throws IOException {
        Path workDir = E2ePaths.workRoot().resolve(name);
        ClaimPreparer.deleteTree(workDir);
        Files.createDirectories(workDir);
        EmbeddedApiServer api = EmbeddedApiServer.start(0);
        api.installCrds(E2ePaths.repoRoot().resolve("crds"));
        LocalJobExecutor jobs = new LocalJobExecutor(api.newClient(),
                LocalExecutorConfig.defaults(E2ePaths.repoRoot(), workDir)
                        .withTrainerJar(E2ePaths.trainerJar(), List.of())
                        .withExtraEnv(LocalModeSettings.podEnv(api.url(), E2ePaths.repoRoot())));
        jobs.start();
        return new E2eCluster(workDir, api, jobs);
    }

    /** The claim folder, filled with the world template. */
    Path prepareClaim(String claim) throws IOException, InterruptedException {
        Path dir = jobs.claimDir(NS, claim);
        WorldTemplate.copyTo(dir);
        return dir;
    }

    List<HasMetadata> apply(Path manifests) {
        ManifestApplier applier = new ManifestApplier(client, NS);
        return applier.apply(ManifestApplier.read(client, List.of(manifests)));
    }

    void startOperator() throws IOException {
        operatorStarts++;
        // Progress every second (10 s in a cluster): the tests wait on it.
        operator = OperatorProcess.start(E2ePaths.operatorApp(), api.url(),
                Map.of("mmalign.progress.interval-seconds", "1"),
                workDir.resolve("operator-" + operatorStarts + ".log")).awaitStarted();
    }

    void killOperator() throws InterruptedException {
        operator.kill();
        operator = null;
    }

    /**
     * Waits (generously) until the resource satisfies {@code until}; fails at once with its status message when
     * {@code failed} says it ended otherwise.
     */
    <T extends HasMetadata> T await(Class<T> type, String name, Duration atMost, Predicate<T> until,
                                    Function<T, String> failed) {
        return org.awaitility.Awaitility.await().atMost(atMost).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    T r = client.resources(type).inNamespace(NS).withName(name).get();
                    String why = r == null ? null : failed.apply(r);
                    if (why != null) {
                        throw new AssertionError(type.getSimpleName() + "/" + name + " failed: " + why
                                + " (logs: " + workDir.resolve("logs") + ")");
                    }
                    return r;
                }, r -> r != null && until.test(r));
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return client.resources(type).inNamespace(NS).withName(name).get();
    }

    /** Every Job the operator created for a resource (label mmalign.dev/owner-name). */
    List<Job> jobsOf(String owner) {
        return client.batch().v1().jobs().inNamespace(NS).withLabel("mmalign.dev/owner-name", owner).list()
                .getItems();
    }

    /** The local log files of a Job's pods: one per pod that ever ran, deleted pods included. */
    List<Path> podLogs(String jobName) throws IOException {
        Path dir = workDir.resolve("logs").resolve(NS);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(jobName + "-")).sorted().toList();
        }
    }

    static long current(Progress p) {
        return p == null || p.current == null ? 0 : p.current;
    }

    @Override
    public void close() throws Exception {
        if (operator != null) {
            operator.close();
        }
        jobs.close();
        api.close();
    }

    /**
     * Changes a resource as a user's client would, reading again and reapplying the change on 409 Conflict
     * (client-go's RetryOnConflict): the operator's status writes can land between the read and the write.
     */
    <T extends HasMetadata> T edit(Class<T> type, String name, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.resources(type).inNamespace(NS).withName(name).edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 20) throw e;
            }
        }
    }
}
