package dev.mmalign.local;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.PaperClaim;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.sweep.AlignmentSweep;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.nio.file.Path;
import java.util.List;

/**
 * The part of {@code local} that runs once the operator is up: applies the manifests ({@link #apply}, which the
 * command does while the claim is prepared), follows them to the end ({@link #follow}),
 * prints the BenchmarkSuite tables and the AlignmentSweep tables, and returns the exit code (0 all finished and none failed, 1 otherwise).
 */
final class LocalRun {

    private LocalRun() {
    }

    /** Applies the manifests (creates or updates each), printing a line per object; returns them as applied. */
    static List<HasMetadata> apply(EmbeddedApiServer api, List<HasMetadata> manifests, java.io.PrintStream out) {
        ManifestApplier applier = new ManifestApplier(api.client(), "default");
        List<HasMetadata> applied = applier.apply(manifests);
        for (HasMetadata r : applied) {
            out.printf("applied %s/%s%n", r.getKind(), r.getMetadata().getName());
        }
        return applied;
    }

    /** Follows the applied resources to the end, prints their tables, and returns the exit code. */
    static int follow(LocalSession s, List<HasMetadata> applied) throws InterruptedException {
        List<HasMetadata> tracked = applied.stream().filter(ResourceSummary::isTracked).toList();
        ProgressWatcher watcher = new ProgressWatcher(s.api().client(), s.out(), s.start());
        ProgressWatcher.Result result = watcher.await(tracked, s.options().timeout());

        s.out().println();
        for (HasMetadata r : result.resources()) {
            if (r instanceof BenchmarkSuite suite) {
                s.out().printf("BenchmarkSuite %s:%n%n%s%n", suite.getMetadata().getName(), SuiteTable.render(suite));
                claimLine(suite).ifPresent(s.out()::println);
                reportPath(s, suite).ifPresent(p -> s.out().printf("report: %s%n", p));
            } else if (r instanceof AlignmentSweep sweep) {
                s.out().printf("AlignmentSweep %s (status.tables):%n%n%s", sweep.getMetadata().getName(),
                        SweepStatusTable.render(sweep));
            }
        }
        int code;
        if (result.blocked()) {
            s.out().printf("%s  stopped: the resources left wait for one that failed%n", watcher.elapsed());
            code = 1;
        } else if (!result.finished()) {
            s.out().printf("%s  timed out after %d minutes with resources unfinished%n", watcher.elapsed(),
                    s.options().timeout().toMinutes());
            code = 1;
        } else {
            code = result.anyFailed() ? 1 : 0;
            s.out().printf("%s  %s%n", watcher.elapsed(), code == 0 ? "all finished" : "finished, with failures");
        }
        s.out().printf("pod logs: %s%noperator log: %s%n", s.options().workDir().resolve("logs"),
                s.options().workDir().resolve("operator.log"));
        return code;
    }

    /**
     * The paper's claim line, as the in-process quickstart prints it, for a suite that compares the quickstart's
     * language model, base and DPO run (examples/quickstart); empty for any other suite.
     */
    static java.util.Optional<String> claimLine(BenchmarkSuite suite) {
        List<BenchmarkResult> results = suite.getStatus() == null || suite.getStatus().results == null ? List.of()
                : suite.getStatus().results;
        boolean compares = java.util.stream.Stream.of(PaperClaim.TEXT_LM, PaperClaim.BASE, PaperClaim.DPO)
                .allMatch(m -> results.stream().anyMatch(r -> m.equals(r.model)));
        return compares ? java.util.Optional.of(PaperClaim.line(PaperClaim.figures(PaperClaim.fromResults(results))))
                : java.util.Optional.empty();
    }

    /** The suite's HTML report on this machine: claim folder + subPath + status.reportPath. */
    private static java.util.Optional<Path> reportPath(LocalSession s, BenchmarkSuite suite) {
        if (suite.getStatus() == null || suite.getStatus().reportPath == null || suite.getSpec() == null
                || suite.getSpec().storage == null || suite.getSpec().storage.claimName == null) {
            return java.util.Optional.empty();
        }
        StorageSpec storage = suite.getSpec().storage;
        Path root = s.jobs().claimDir(suite.getMetadata().getNamespace(), storage.claimName);
        if (storage.subPath != null && !storage.subPath.isEmpty()) {
            root = root.resolve(storage.subPath);
        }
        return java.util.Optional.of(root.resolve(suite.getStatus().reportPath).normalize());
    }
}
