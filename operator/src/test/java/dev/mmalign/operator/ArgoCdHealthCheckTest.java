package dev.mmalign.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteStatus;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.operator.status.Conditions;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.AlignmentSweepStatus;
import dev.mmalign.api.sweep.SweepPhase;
import dev.mmalign.operator.status.Conditions.State;
import dev.mmalign.operator.testing.Fixtures;
import io.fabric8.kubernetes.api.model.HasMetadata;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chart's Argo CD health check (helm/mmalign/files/argocd/health.lua) run by a Lua interpreter (LuaJ) the way
 * Argo CD runs it (the resource as the global {@code obj}, the returned table's status and message), against statuses
 * written the operator's way ({@link Conditions#report}), for each kind and each outcome.
 */
class ArgoCdHealthCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    record Health(String status, String message) {}

    private static String script() throws IOException {
        return Files.readString(HelmChartTest.repoRoot().resolve("helm/mmalign/files/argocd/health.lua"));
    }

    /** Runs the script on the resource as Argo CD does: JSON of the object in as {@code obj}, hs out. */
    private static Health health(HasMetadata resource) throws IOException {
        Globals globals = JsePlatform.standardGlobals();
        globals.set("obj", lua(JSON.valueToTree(resource)));
        LuaValue hs = globals.load(script(), "health.lua").call();
        assertTrue(hs.istable(), "the script returns a table");
        return new Health(hs.get("status").tojstring(), hs.get("message").isnil() ? "" : hs.get("message").tojstring());
    }

    /** JSON to Lua the way Argo CD converts an object: maps to tables, arrays to 1-based tables, null to nil. */
    private static LuaValue lua(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return LuaValue.NIL;
        }
        if (n.isObject()) {
            LuaTable t = new LuaTable();
            n.fields().forEachRemaining(e -> t.set(e.getKey(), lua(e.getValue())));
            return t;
        }
        if (n.isArray()) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < n.size(); i++) {
                t.set(i + 1, lua(n.get(i)));
            }
            return t;
        }
        if (n.isBoolean()) {
            return LuaValue.valueOf(n.booleanValue());
        }
        if (n.isNumber()) {
            return LuaValue.valueOf(n.doubleValue());
        }
        return LuaValue.valueOf(n.asText());
    }

    private static PreferenceDataset dataset(long generation, Long observed, DatasetPhase phase, State state,
                                             String reason, String message) {
        PreferenceDataset ds = Fixtures.dataset("ns", "ds");
        ds.getMetadata().setGeneration(generation);
        if (phase != null) {
            PreferenceDatasetStatus st = new PreferenceDatasetStatus();
            st.phase = phase;
            st.observedGeneration = observed;
            Conditions.report(st.conditions, state, reason, message, observed, NOW, false);
            ds.setStatus(st);
        }
        return ds;
    }

    private static AlignmentRun run(long generation, Long observed, RunPhase phase, State state, String reason,
                                    String message) {
        AlignmentRun run = Fixtures.run("ns", "run", "ds");
        run.getMetadata().setGeneration(generation);
        if (phase != null) {
            AlignmentRunStatus st = new AlignmentRunStatus();
            st.phase = phase;
            st.observedGeneration = observed;
            Conditions.report(st.conditions, state, reason, message, observed, NOW, true);
            run.setStatus(st);
        }
        return run;
    }

    private static BenchmarkSuite suite(long generation, Long observed, SuitePhase phase, State state, String reason,
                                        String message) {
        BenchmarkSuite suite = Fixtures.suite("ns", "suite", List.of(Fixtures.modelAt("base", "models/tiny")));
        suite.getMetadata().setGeneration(generation);
        if (phase != null) {
            BenchmarkSuiteStatus st = new BenchmarkSuiteStatus();
            st.phase = phase;
            st.observedGeneration = observed;
            Conditions.report(st.conditions, state, reason, message, observed, NOW, false);
            suite.setStatus(st);
        }
        return suite;
    }

    /** Guards the PreferenceDataset outcomes: none yet, stale, sampling, waiting, blocked, failed, ready. */
    @Test
    void preferenceDatasetHealth() throws IOException {
        assertEquals(new Health("Progressing", "Waiting for the operator to report status"),
                health(dataset(1, null, null, null, null, null)));
        assertEquals(new Health("Progressing", "Waiting for the operator to observe generation 2"),
                health(dataset(2, 1L, DatasetPhase.Ready, State.READY, "DatasetReady", "1000 pairs")));
        assertEquals(new Health("Progressing", "Sampling: 3/8 shards"),
                health(dataset(1, 1L, DatasetPhase.Sampling, State.PROGRESSING, "Sampling", "3/8 shards")));
        assertEquals(new Health("Progressing", "BaseModelNotReady: waiting for run base"),
                health(dataset(1, 1L, DatasetPhase.Pending, State.WAITING, "BaseModelNotReady",
                        "waiting for run base")));
        assertEquals(new Health("Degraded", "Blocked: RunFailed: AlignmentRun base failed"),
                health(dataset(1, 1L, DatasetPhase.Pending, State.BLOCKED, "RunFailed", "AlignmentRun base failed")));
        assertEquals(new Health("Degraded", "BudgetExhausted: stage annotate: budget of 1.00 USD spent"),
                health(dataset(1, 1L, DatasetPhase.Failed, State.FAILED, "BudgetExhausted",
                        "stage annotate: budget of 1.00 USD spent")));
        assertEquals(new Health("Healthy", "DatasetReady: 1000 pairs"),
                health(dataset(3, 3L, DatasetPhase.Ready, State.READY, "DatasetReady", "1000 pairs")));
    }

    /** Guards the AlignmentRun outcomes, suspend included. */
    @Test
    void alignmentRunHealth() throws IOException {
        assertEquals("Progressing", health(run(1, null, null, null, null, null)).status());
        // spec.suspend was set (generation 2) on a run the operator last saw training: not Suspended yet.
        assertEquals(new Health("Progressing", "Waiting for the operator to observe generation 2"),
                health(run(2, 1L, RunPhase.Training, State.PROGRESSING, "Training", "step 10/100")));
        assertEquals(new Health("Progressing", "Training: step 10/100"),
                health(run(1, 1L, RunPhase.Training, State.PROGRESSING, "Training", "step 10/100")));
        assertEquals(new Health("Progressing", "QueuedByKueue: admitted when quota frees"),
                health(run(1, 1L, RunPhase.Queued, State.PROGRESSING, "QueuedByKueue", "admitted when quota frees")));
        assertEquals(new Health("Progressing", "DatasetNotReady: PreferenceDataset ds is Sampling"),
                health(run(1, 1L, RunPhase.WaitingForDataset, State.WAITING, "DatasetNotReady",
                        "PreferenceDataset ds is Sampling")));
        assertEquals(new Health("Degraded", "Blocked: DatasetFailed: PreferenceDataset ds failed"),
                health(run(1, 1L, RunPhase.WaitingForDataset, State.BLOCKED, "DatasetFailed",
                        "PreferenceDataset ds failed")));
        assertEquals(new Health("Degraded", "BackoffLimitExceeded: stage train: exit code 1"),
                health(run(1, 1L, RunPhase.Failed, State.FAILED, "BackoffLimitExceeded", "stage train: exit code 1")));
        assertEquals(new Health("Suspended", "SuspendedBySpec: checkpoint at step 10"),
                health(run(2, 2L, RunPhase.Suspended, State.SUSPENDED, "SuspendedBySpec", "checkpoint at step 10")));
        assertEquals(new Health("Healthy", "Trained: adapter at runs/run/adapter"),
                health(run(1, 1L, RunPhase.Succeeded, State.READY, "Trained", "adapter at runs/run/adapter")));
    }

    /** Guards the BenchmarkSuite outcomes. */
    @Test
    void benchmarkSuiteHealth() throws IOException {
        assertEquals("Progressing", health(suite(1, null, null, null, null, null)).status());
        assertEquals(new Health("Progressing", "Waiting for the operator to observe generation 4"),
                health(suite(4, 3L, SuitePhase.Failed, State.FAILED, "JobFailed", "evaluate-base failed")));
        assertEquals(new Health("Progressing", "Evaluating: 1/2 models"),
                health(suite(1, 1L, SuitePhase.Running, State.PROGRESSING, "Evaluating", "1/2 models")));
        assertEquals(new Health("Degraded", "Blocked: ModelFailed: AlignmentRun run failed"),
                health(suite(1, 1L, SuitePhase.WaitingForModels, State.BLOCKED, "ModelFailed",
                        "AlignmentRun run failed")));
        assertEquals(new Health("Degraded", "JobFailed: evaluate-base failed"),
                health(suite(1, 1L, SuitePhase.Failed, State.FAILED, "JobFailed", "evaluate-base failed")));
        assertEquals(new Health("Healthy", "Evaluated: 4 scores of 2 models"),
                health(suite(1, 1L, SuitePhase.Succeeded, State.READY, "Evaluated", "4 scores of 2 models")));
    }

    private static AlignmentSweep sweep(long generation, Long observed, SweepPhase phase, State state, String reason,
                                        String message) {
        AlignmentSweep sweep = Fixtures.sweep("ns", "sweep", List.of(0.5, 1.0), null, 2);
        sweep.getMetadata().setGeneration(generation);
        if (phase != null) {
            AlignmentSweepStatus st = new AlignmentSweepStatus();
            st.phase = phase;
            st.observedGeneration = observed;
            Conditions.report(st.conditions, state, reason, message, observed, NOW, false);
            sweep.setStatus(st);
        }
        return sweep;
    }

    /** Guards the AlignmentSweep outcomes: none yet, stale, training, evaluating, a failed run, succeeded. */
    @Test
    void alignmentSweepHealth() throws IOException {
        assertEquals("Progressing", health(sweep(1, null, null, null, null, null)).status());
        assertEquals(new Health("Progressing", "Waiting for the operator to observe generation 2"),
                health(sweep(2, 1L, SweepPhase.Succeeded, State.READY, "Evaluated", "2 runs")));
        assertEquals(new Health("Progressing", "Training: 0/2 runs trained"),
                health(sweep(1, 1L, SweepPhase.Running, State.PROGRESSING, "Training", "0/2 runs trained")));
        assertEquals(new Health("Progressing", "Evaluating: suite is Running"),
                health(sweep(1, 1L, SweepPhase.Evaluating, State.PROGRESSING, "Evaluating", "suite is Running")));
        assertEquals(new Health("Degraded", "RunFailed: AlignmentRun sweep-f1: exit 2"),
                health(sweep(1, 1L, SweepPhase.Failed, State.FAILED, "RunFailed", "AlignmentRun sweep-f1: exit 2")));
        assertEquals(new Health("Healthy", "Evaluated: 2 runs trained and evaluated"),
                health(sweep(1, 1L, SweepPhase.Succeeded, State.READY, "Evaluated", "2 runs trained and evaluated")));
    }

    /** Guards against a condition lagging its status: one condition still at an older generation is not current. */
    @Test
    void aConditionOfAnOlderGenerationIsProgressing() throws IOException {
        AlignmentRun run = run(2, 2L, RunPhase.Succeeded, State.READY, "Trained", "adapter at a");
        run.getStatus().conditions.get(0).setObservedGeneration(1L);
        assertEquals(new Health("Progressing", "Waiting for the operator to observe generation 2"), health(run));
    }

    /** Guards the chart's argocd-cm snippet: one key per kind of the CRDs ({@code resource.customizations.health.
     * <group>_<kind>}), each with this script, rendered from the file and documented in the chart's README. */
    @Test
    void chartRendersOneHealthKeyPerKindOfTheCrds() throws IOException {
        Path root = HelmChartTest.repoRoot();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        TreeSet<String> expected = new TreeSet<>();
        try (Stream<Path> s = Files.list(root.resolve("crds"))) {
            for (Path crd : s.sorted().toList()) {
                JsonNode spec = yaml.readTree(crd.toFile()).get("spec");
                expected.add("resource.customizations.health." + spec.get("group").asText() + "_"
                        + spec.get("names").get("kind").asText());
            }
        }
        assertEquals(new TreeSet<>(List.of("resource.customizations.health.mmalign.dev_AlignmentRun",
                "resource.customizations.health.mmalign.dev_AlignmentSweep",
                "resource.customizations.health.mmalign.dev_BenchmarkSuite",
                "resource.customizations.health.mmalign.dev_PreferenceDataset")), expected);
        String template = Files.readString(root.resolve("helm/mmalign/templates/argocd-health.yaml"));
        assertTrue(template.contains(".Files.Get \"files/argocd/health.lua\""), template);
        Map<String, Boolean> keys = new TreeMap<>();
        for (String key : expected) {
            String kind = key.substring(key.indexOf('_') + 1);
            keys.put(kind, template.contains("resource.customizations.health.mmalign.dev_") && template.contains(kind));
        }
        assertEquals(Map.of("AlignmentRun", true, "AlignmentSweep", true, "BenchmarkSuite", true,
                "PreferenceDataset", true), keys);
        String readme = Files.readString(root.resolve("helm/mmalign/README.md"));
        for (String key : expected) {
            assertTrue(readme.contains(key), "README documents " + key);
        }
    }
}
