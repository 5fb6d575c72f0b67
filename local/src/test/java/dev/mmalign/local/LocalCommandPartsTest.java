package dev.mmalign.local;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.BenchmarkSuiteStatus;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.sweep.AlignmentSweep;
import io.fabric8.kubernetes.client.KubernetesClientException;
import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.run.TrainingMetrics;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of the {@code local} command that need no operator and no trainer. */
class LocalCommandPartsTest {

    EmbeddedApiServer api;
    KubernetesClient client;

    @BeforeEach
    void start() {
        api = EmbeddedApiServer.start(0);
        api.installCrds(TestPaths.repoRoot().resolve("crds"));
        client = api.client();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    /** Guards the defaults a newcomer relies on (quickstart manifests of the repository) and the flags' parsing. */
    @Test
    void optionsDefaultToTheQuickstartAndParseFlags() {
        LocalOptions d = LocalOptions.parse(new String[] {"--repo", TestPaths.repoRoot().toString()});
        assertEquals(List.of(TestPaths.repoRoot().resolve("examples/quickstart")), d.manifests());
        assertEquals(0, d.port());
        assertTrue(d.prepare());
        assertEquals(TestPaths.repoRoot().resolve(LocalExecutorConfig.DEFAULT_TRAINER_JAR), d.trainerJar());

        LocalOptions o = LocalOptions.parse(new String[] {"--port", "18080", "--no-prepare", "--timeout", "5", "a.yaml"});
        assertEquals(18080, o.port());
        assertFalse(o.prepare());
        assertEquals(Duration.ofMinutes(5), o.timeout());
        assertEquals(List.of(Path.of("a.yaml")), o.manifests());
        assertThrows(IllegalArgumentException.class, () -> LocalOptions.parse(new String[] {"--bogus"}));
        assertThrows(IllegalArgumentException.class, () -> LocalOptions.parse(new String[] {"--port"}));
    }

    /**
     * Guards applying the repository's quickstart: all six resources are created (the CRD copies beside them are
     * skipped), a second apply replaces instead of failing, and the claim to prepare is found.
     */
    @Test
    void quickstartManifestsApplyTwiceAndNameTheirClaim() {
        List<HasMetadata> items = ManifestApplier.read(client,
                List.of(TestPaths.repoRoot().resolve("examples/quickstart")));
        assertEquals(6, items.size(), items.stream().map(HasMetadata::getKind).toList().toString());
        assertTrue(items.stream().allMatch(ResourceSummary::isTracked));
        assertEquals(Set.of("default/quickstart-data"), ClaimPreparer.claims(items, "default"));

        ManifestApplier applier = new ManifestApplier(client, "default");
        applier.apply(items);
        applier.apply(ManifestApplier.read(client, List.of(TestPaths.repoRoot().resolve("examples/quickstart"))));
        assertEquals(4, client.resources(AlignmentRun.class).inNamespace("default").list().getItems().size());
    }

    /**
     * Guards local mode serving AlignmentSweep: its API server learned the kind from crds/, so the quickstart's sweep
     * applies (schema and CEL checked), is followed, and names the quickstart's claim to prepare; a sweep over the cap
     * of child runs is refused with the CRD's CEL message.
     */
    @Test
    void quickstartSweepAppliesIsFollowedAndItsCelRulesHold() {
        List<HasMetadata> items = ManifestApplier.read(client,
                List.of(TestPaths.repoRoot().resolve("examples/quickstart/sweep")));
        assertEquals(List.of("AlignmentSweep"), items.stream().map(HasMetadata::getKind).toList());
        assertTrue(items.stream().allMatch(ResourceSummary::isTracked));
        assertEquals(Set.of("default/quickstart-data"), ClaimPreparer.claims(items, "default"));
        new ManifestApplier(client, "default").apply(items);
        AlignmentSweep stored = client.resources(AlignmentSweep.class).inNamespace("default")
                .withName("quickstart-scaling").get();
        assertEquals(List.of(0.5, 1.0), stored.getSpec().axes.dataFraction);
        assertEquals(1, stored.getSpec().maxConcurrent);
        assertFalse(ResourceSummary.of(stored).finished());

        AlignmentSweep tooBig = new AlignmentSweep();
        tooBig.setMetadata(new ObjectMetaBuilder().withName("too-big").withNamespace("default").build());
        tooBig.setSpec(stored.getSpec());
        tooBig.getSpec().axes.dataFraction = List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8);
        tooBig.getSpec().axes.beta = List.of(0.05, 0.1, 0.2, 0.5);
        KubernetesClientException refused = assertThrows(KubernetesClientException.class,
                () -> client.resource(tooBig).create());
        assertEquals(422, refused.getCode());
        assertTrue(refused.getMessage().contains("must be at most 31"), refused.getMessage());
    }

    /** Guards the progress line: phase, step progress, loss; finished only in a final phase; failures with why. */
    @Test
    void summaryLineShowsProgressMetricsAndFailures() {
        AlignmentRun run = new AlignmentRun();
        run.setMetadata(new ObjectMetaBuilder().withName("r").build());
        assertFalse(ResourceSummary.of(run).finished());

        AlignmentRunStatus s = new AlignmentRunStatus();
        s.phase = RunPhase.Training;
        s.progress = new Progress();
        s.progress.stage = "train";
        s.progress.current = 12L;
        s.progress.total = 48L;
        s.progress.unit = "steps";
        s.metrics = new TrainingMetrics();
        s.metrics.loss = 0.69314;
        run.setStatus(s);
        ResourceSummary training = ResourceSummary.of(run);
        assertEquals("AlignmentRun/r", training.id());
        assertTrue(training.line().contains("Training"), training.line());
        assertTrue(training.line().contains("train 12/48 steps (25%)"), training.line());
        assertTrue(training.line().contains("loss=0.6931"), training.line());
        assertFalse(training.finished());

        s.phase = RunPhase.Failed;
        s.conditions = List.of(new ConditionBuilder().withType("Failed").withStatus("True")
                .withMessage("stage train: exit code 2: bad input").build());
        ResourceSummary failed = ResourceSummary.of(run);
        assertTrue(failed.finished() && failed.failed());
        assertTrue(failed.line().contains("bad input"), failed.line());
    }

    /**
     * Guards how local mode knows it can stop waiting: a resource is blocked when the operator reports Progressing
     * False without being finished (its dataset failed), not when it merely waits (Progressing True) or is suspended;
     * the line says by what.
     */
    @Test
    void blockedIsProgressingFalseWithoutBeingFinished() {
        AlignmentRun run = new AlignmentRun();
        run.setMetadata(new ObjectMetaBuilder().withName("r").build());
        AlignmentRunStatus s = new AlignmentRunStatus();
        s.phase = RunPhase.WaitingForDataset;
        run.setStatus(s);

        s.conditions = List.of(new ConditionBuilder().withType("Progressing").withStatus("True")
                .withReason("DatasetNotReady").withMessage("waiting for PreferenceDataset d").build());
        assertFalse(ResourceSummary.of(run).blocked(), "waiting for a dataset on its way");

        s.conditions = List.of(new ConditionBuilder().withType("Progressing").withStatus("False")
                        .withReason("DatasetFailed").withMessage("PreferenceDataset d failed (bad line)").build(),
                new ConditionBuilder().withType("Failed").withStatus("False").withReason("DatasetFailed").build());
        ResourceSummary blocked = ResourceSummary.of(run);
        assertTrue(blocked.blocked() && !blocked.finished() && !blocked.failed());
        assertTrue(blocked.line().contains("DatasetFailed: PreferenceDataset d failed (bad line)"), blocked.line());

        s.phase = RunPhase.Suspended;
        s.conditions = List.of(new ConditionBuilder().withType("Progressing").withStatus("False").build(),
                new ConditionBuilder().withType("Suspended").withStatus("True").build());
        assertFalse(ResourceSummary.of(run).blocked(), "suspended is not blocked");
    }

    /** Guards the final table: a row per model, a column per benchmark, deltas signed, the baseline marked. */
    @Test
    void suiteTableHasModelsByBenchmarksWithDeltas() {
        BenchmarkSuite suite = new BenchmarkSuite();
        suite.setMetadata(new ObjectMetaBuilder().withName("s").build());
        suite.setSpec(new BenchmarkSuiteSpec());
        suite.getSpec().baseline = "base";
        suite.setStatus(new BenchmarkSuiteStatus());
        suite.getStatus().phase = SuitePhase.Succeeded;
        suite.getStatus().results = List.of(result("base", "pope", 0.5, null), result("dpo", "pope", 0.625, 0.125),
                result("base", "text-only", 0.25, null), result("dpo", "text-only", 0.125, -0.125));
        String table = SuiteTable.render(suite);
        List<String> lines = table.lines().toList();
        assertEquals(4, lines.size(), table);
        assertTrue(lines.get(0).startsWith("model") && lines.get(0).contains("pope f1")
                && lines.get(0).contains("text-only f1"), table);
        assertTrue(lines.get(2).startsWith("base (baseline)"), table);
        assertTrue(lines.get(3).contains("0.6250 (+0.1250)") && lines.get(3).contains("0.1250 (-0.1250)"), table);
    }

    private static BenchmarkResult result(String model, String benchmark, double score, Double delta) {
        BenchmarkResult r = new BenchmarkResult();
        r.model = model;
        r.benchmark = benchmark;
        r.metric = "f1";
        r.score = score;
        r.delta = delta;
        return r;
    }
}
