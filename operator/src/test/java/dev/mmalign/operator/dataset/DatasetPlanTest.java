package dev.mmalign.operator.dataset;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.stage.GpuUse;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.ResolvedModel;
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

    /** Guards result folding: counts summed over shards, cost as a decimal string, means weighted by annotated. */
    @Test
    void resultsAreFolded() {
        PreferenceDatasetStatus st = new PreferenceDatasetStatus();
        DatasetResults.apply(st, List.of(
                Fixtures.result(StageName.annotate, Map.of("annotated", 30L, "inputTokens", 100L),
                        Map.of("costUSD", 0.5, "mean/helpfulness", 2.0), Map.of()),
                Fixtures.result(StageName.annotate, Map.of("annotated", 10L, "inputTokens", 50L),
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
