package dev.mmalign.operator.dataset;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.dataset.HumanRatingsSpec;
import dev.mmalign.api.dataset.JudgeAgreementFile;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.stage.GpuUse;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageCounts;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The dataset's stage specs and the folding of stage results into status (pure). */
class DatasetPlanTest {

    /** Guards the paths each stage reads and writes (ArtifactLayout) and that each gets only its own section. */
    @Test
    void stageSpecs() {
        PreferenceDataset ds = Fixtures.dataset("ns", "prefs");
        ResolvedModel model = new ResolvedModel("policy", "models/tiny", null);
        var sample = DatasetPlan.stageSpec(ds, StageName.sample, 1, model, new ProgressReporting());
        assertEquals(2, sample.shard.count);
        assertEquals("mmalign/datasets/prefs/completions", sample.paths.outputDir);
        assertEquals("mmalign/datasets/prefs/prompts.jsonl", sample.paths.inputs.get("prompts"));
        assertEquals("models/tiny", sample.paths.inputs.get("model"));
        assertNull(sample.annotation);

        var annotate = DatasetPlan.stageSpec(ds, StageName.annotate, 1, null, new ProgressReporting());
        assertEquals("mmalign/datasets/prefs/annotations", annotate.paths.outputDir);
        assertEquals("mmalign/datasets/prefs/completions", annotate.paths.inputs.get("completions"));
        assertNull(annotate.paths.inputs.get("model"));
        assertNull(annotate.sampling);

        var build = DatasetPlan.stageSpec(ds, StageName.build, 1, model, new ProgressReporting());
        assertEquals("mmalign/datasets/prefs/sets", build.paths.outputDir);
        assertEquals("mmalign/datasets/prefs/annotations", build.paths.inputs.get("annotations"));
        assertEquals(1, DatasetPlan.shards(ds.getSpec(), StageName.build));
    }

    /** Guards "a sample stage with an endpoint requests no GPU": its resources lose the GPUs and keep the rest, the
     * spec itself is not changed, and sampling in the pod keeps its GPUs. */
    @Test
    void aSampleStageWithAnEndpointRequestsNoGpu() {
        PreferenceDataset ds = Fixtures.dataset("ns", "prefs");
        ds.getSpec().sampling.resources = new ComputeResources();
        ds.getSpec().sampling.resources.gpus = 2;
        ds.getSpec().sampling.resources.memory = "8Gi";
        ds.getSpec().sampling.resources.nodeSelector = Map.of("pool", "cpu");
        assertEquals(2, DatasetPlan.resources(ds.getSpec(), StageName.sample).gpus, "in-pod sampling keeps GPUs");

        ds.getSpec().sampling.endpoint = new SamplingEndpointSpec();
        ds.getSpec().sampling.endpoint.url = "http://vllm:8000/v1";
        ds.getSpec().sampling.endpoint.model = "llava-hf/llava-1.5-7b-hf";
        ComputeResources res = DatasetPlan.resources(ds.getSpec(), StageName.sample);
        assertEquals(0, res.gpus);
        assertEquals("8Gi", res.memory);
        assertEquals(Map.of("pool", "cpu"), res.nodeSelector);
        assertEquals(2, ds.getSpec().sampling.resources.gpus, "the spec is not changed");
        assertEquals(0, GpuUse.working(StageName.sample, res.gpus), "no GPU-seconds are counted");
    }

    /** Build gets the attributes and the human ratings it compares the judge with, and nothing of the judge. */
    @Test
    void buildGetsTheHumanRatingsButNoJudgeSettings() {
        PreferenceDataset ds = Fixtures.dataset("ns", "prefs");
        ds.getSpec().annotation.humanRatings = new HumanRatingsSpec();
        ds.getSpec().annotation.humanRatings.path = "human/ratings.jsonl";
        ds.getSpec().annotation.endpoint = "https://judge.example/v1";
        var build = DatasetPlan.stageSpec(ds, StageName.build, 1, new ResolvedModel("policy", "models/tiny", null),
                new ProgressReporting());
        assertEquals("human/ratings.jsonl", build.annotation.humanRatings.path);
        assertEquals(ds.getSpec().annotation.attributes, build.annotation.attributes);
        assertNull(build.annotation.provider);
        assertNull(build.annotation.endpoint);
        assertNull(build.annotation.credentials);
    }

    /** Guards the agreement half of the build contract: "agreement/<attribute>/<figure>" metrics become
     * status.agreement (rounded to 4 places); a figure the stage left out (undefined correlation) stays absent. */
    @Test
    void agreementMetricsBecomeStatusAgreement() {
        PreferenceDatasetStatus st = new PreferenceDatasetStatus();
        DatasetResults.apply(st, List.of(Fixtures.result(StageName.build, Map.of("dpoPairs", 3L), Map.of(
                JudgeAgreementFile.metricKey("helpfulness", "n"), 6.0,
                JudgeAgreementFile.metricKey("helpfulness", "exactMatch"), 0.5,
                JudgeAgreementFile.metricKey("helpfulness", "withinOne"), 5.0 / 6,
                JudgeAgreementFile.metricKey("helpfulness", "spearman"), 0.123456,
                JudgeAgreementFile.metricKey("helpfulness", "pearson"), 0.2,
                JudgeAgreementFile.metricKey("complexity", "n"), 6.0,
                JudgeAgreementFile.metricKey("complexity", "exactMatch"), 1.0,
                "mean/helpfulness", 2.0), Map.of("agreement", "mmalign/datasets/prefs/annotations/agreement.json"))));
        assertEquals(6L, st.agreement.get("helpfulness").n);
        assertEquals(0.5, st.agreement.get("helpfulness").exactMatch);
        assertEquals(0.8333, st.agreement.get("helpfulness").withinOne);
        assertEquals(0.1235, st.agreement.get("helpfulness").spearman);
        assertEquals(0.2, st.agreement.get("helpfulness").pearson);
        assertEquals(1.0, st.agreement.get("complexity").exactMatch);
        assertNull(st.agreement.get("complexity").spearman);
        assertEquals("mmalign/datasets/prefs/annotations/agreement.json", st.artifacts.agreement);
        assertEquals(2, st.agreement.size(), "only agreement keys make entries: " + st.agreement.keySet());
    }

    /** Guards result folding: counts summed over shards, cost as a decimal string, means weighted by annotated. */
    @Test
    void resultsAreFolded() {
        PreferenceDatasetStatus st = new PreferenceDatasetStatus();
        DatasetResults.apply(st, List.of(
                Fixtures.result(StageName.annotate, Map.of(StageCounts.ANNOTATED, 30L, StageCounts.INPUT_TOKENS, 100L),
                        Map.of("costUSD", 0.5, "mean/helpfulness", 2.0), Map.of()),
                Fixtures.result(StageName.annotate, Map.of(StageCounts.ANNOTATED, 10L, StageCounts.INPUT_TOKENS, 50L),
                        Map.of("costUSD", 0.25, "mean/helpfulness", 4.0), Map.of())));
        assertEquals(40L, st.counts.annotated);
        assertEquals("0.7500", st.cost.usd);
        assertEquals(150L, st.cost.inputTokens);
        assertEquals(2.5, st.attributeMeans.get("helpfulness"));

        DatasetResults.apply(st, List.of(Fixtures.result(StageName.build, Map.of("dpoPairs", 12L), Map.of(),
                Map.of("dpo", "x/dpo.jsonl"))));
        assertEquals(40L, st.counts.annotated, "earlier counts are kept");
        assertEquals(12L, st.counts.dpoPairs);
        assertEquals("x/dpo.jsonl", st.artifacts.dpo);
    }
}
