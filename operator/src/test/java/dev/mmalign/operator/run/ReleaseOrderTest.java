package dev.mmalign.operator.run;

import dev.mmalign.api.dataset.DatasetCounts;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingSet;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The order in which a dataset's waiting runs are reconciled: largest training work first (pure). */
class ReleaseOrderTest {

    /** Guards the quickstart's case: SteerLM (every completion, one epoch) before the three-epoch methods. */
    @Test
    void largestTrainingSetTimesEpochsFirst() {
        PreferenceDataset ds = countedDataset();
        AlignmentRun dpo = run("quickstart-dpo", Method.DPO, 3);
        AlignmentRun sft = run("quickstart-sft-gold", Method.SFT, 3);
        AlignmentRun rs = run("quickstart-rejection-sampling", Method.RejectionSampling, 3);
        AlignmentRun steer = run("quickstart-steerlm", Method.SteerLM, 1);

        assertEquals(3124, ReleaseOrder.work(ds, steer));
        assertEquals(1875, ReleaseOrder.work(ds, dpo));
        assertEquals(2343, ReleaseOrder.work(ds, sft));
        assertEquals(List.of("quickstart-steerlm", "quickstart-rejection-sampling", "quickstart-sft-gold",
                "quickstart-dpo"), names(ReleaseOrder.sort(ds, List.of(dpo, sft, rs, steer))));
    }

    /** Guards the set a run names explicitly (dataset.trainingSet) over its method's default. */
    @Test
    void explicitTrainingSetCounts() {
        PreferenceDataset ds = countedDataset();
        AlignmentRun steerSet = run("sft-on-steer", Method.SFT, 2);
        steerSet.getSpec().dataset.trainingSet = TrainingSet.steerLM;
        assertEquals(6248, ReleaseOrder.work(ds, steerSet));
    }

    /** Guards a dataset not yet counted (and runs without counts): no estimate, so by name, never an error. */
    @Test
    void uncountedDatasetOrdersByName() {
        PreferenceDataset ds = Fixtures.dataset("ns", "quickstart");
        AlignmentRun b = run("b", Method.SteerLM, 1);
        AlignmentRun a = run("a", Method.DPO, 3);
        assertEquals(0, ReleaseOrder.work(ds, a));
        assertEquals(List.of("a", "b"), names(ReleaseOrder.sort(ds, List.of(b, a))));
    }

    private static PreferenceDataset countedDataset() {
        PreferenceDataset ds = Fixtures.dataset("ns", "quickstart");
        ds.setStatus(new PreferenceDatasetStatus());
        ds.getStatus().counts = new DatasetCounts();
        ds.getStatus().counts.dpoPairs = 625L;
        ds.getStatus().counts.goldSFT = 781L;
        ds.getStatus().counts.rejectionSampling = 781L;
        ds.getStatus().counts.steerLM = 3124L;
        return ds;
    }

    private static AlignmentRun run(String name, Method method, int epochs) {
        AlignmentRun run = Fixtures.run("ns", name, "quickstart");
        run.getSpec().method = method;
        run.getSpec().training.epochs = epochs;
        return run;
    }

    private static List<String> names(List<AlignmentRun> runs) {
        return runs.stream().map(r -> r.getMetadata().getName()).toList();
    }
}
