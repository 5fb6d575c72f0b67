package dev.mmalign.operator.run;

import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which references make a dependency cycle, and how it is named (pure). */
class DependencyCyclesTest {

    private final Map<String, PreferenceDataset> datasets = new HashMap<>();
    private final Map<String, AlignmentRun> runs = new HashMap<>();
    private final DependencyCycles cycles = new DependencyCycles(datasets::get, runs::get);

    private PreferenceDataset datasetSampledFrom(String name, String run) {
        PreferenceDataset ds = Fixtures.dataset("ns", name);
        ds.getSpec().sampling.model = ModelSource.ofRun(run);
        datasets.put(name, ds);
        return ds;
    }

    private AlignmentRun runOn(String name, String dataset) {
        AlignmentRun run = Fixtures.run("ns", name, dataset);
        runs.put(name, run);
        return run;
    }

    /** Guards the case: a run training on a dataset that samples from the run's own output. */
    @Test
    void aRunTrainingOnADatasetSampledFromItselfIsACycleFromBothSides() {
        PreferenceDataset ds = datasetSampledFrom("self-ds", "loop");
        AlignmentRun run = runOn("loop", "self-ds");
        assertEquals(Optional.of("AlignmentRun loop → PreferenceDataset self-ds → AlignmentRun loop"),
                cycles.through(run));
        assertEquals(Optional.of("PreferenceDataset self-ds → AlignmentRun loop → PreferenceDataset self-ds"),
                cycles.through(ds));
    }

    @Test
    void longerCyclesThroughBaseModelsAreFound() {
        AlignmentRun a = runOn("a", "ds");
        datasetSampledFrom("ds", "b");
        AlignmentRun b = runOn("b", "other");
        b.getSpec().baseModel = ModelSource.ofRun("a");
        assertEquals(Optional.of("AlignmentRun a → PreferenceDataset ds → AlignmentRun b → AlignmentRun a"),
                cycles.through(a));
    }

    @Test
    void aRunOnItsOwnOutputIsACycle() {
        AlignmentRun self = runOn("self", "ds");
        self.getSpec().baseModel = ModelSource.ofRun("self");
        assertEquals(Optional.of("AlignmentRun self → AlignmentRun self"), cycles.through(self));
    }

    /** Guards against false alarms: a chain, a diamond and a cycle the resource only leads into are no cycle
     * through it (the resources of that cycle report it themselves). */
    @Test
    void chainsDiamondsAndOtherCyclesAreNotReported() {
        datasetSampledFrom("ds", "sft");
        runOn("sft", "gold");
        AlignmentRun dpo = runOn("dpo", "ds");
        dpo.getSpec().baseModel = ModelSource.ofRun("sft");
        assertEquals(Optional.empty(), cycles.through(dpo));

        runOn("x", "xds");
        datasetSampledFrom("xds", "x");
        AlignmentRun downstream = runOn("downstream", "xds");
        assertEquals(Optional.empty(), cycles.through(downstream));
    }
}
