package dev.mmalign.api.run;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TrainingDefaultsTest {

    /** Guards the paper's DPO hyper-parameters when the manifest leaves them unset. */
    @Test
    void dpoGetsThePapersDpoSettings() {
        TrainingSpec t = TrainingDefaults.resolve(null, Method.DPO);
        assertEquals(5e-5, t.learningRate);
        assertEquals(8, t.perDeviceBatchSize);
        assertEquals(4, t.gradientAccumulationSteps);
        assertEquals(876, t.maxLength); // 300 text tokens + 576 LLaVA-1.5 image positions
        assertEquals(3, t.epochs);
        assertEquals(0.03, t.warmupRatio);
        assertEquals(Scheduler.cosine, t.scheduler);
    }

    /** Guards the paper's SFT hyper-parameters for the three SFT-style methods. */
    @Test
    void sftMethodsGetThePapersSftSettings() {
        for (Method m : new Method[] {Method.SFT, Method.RejectionSampling, Method.SteerLM}) {
            TrainingSpec t = TrainingDefaults.resolve(new TrainingSpec(), m);
            assertEquals(4e-4, t.learningRate, m.name());
            assertEquals(16, t.perDeviceBatchSize, m.name());
            assertEquals(1, t.gradientAccumulationSteps, m.name());
            assertEquals(2048, t.maxLength, m.name());
        }
    }

    /** Guards that explicit values win over the per-method defaults. */
    @Test
    void explicitValuesAreKept() {
        TrainingSpec in = new TrainingSpec();
        in.learningRate = 1e-3;
        in.maxLength = 128;
        in.epochs = 1;
        TrainingSpec t = TrainingDefaults.resolve(in, Method.DPO);
        assertEquals(1e-3, t.learningRate);
        assertEquals(128, t.maxLength);
        assertEquals(1, t.epochs);
        assertEquals(8, t.perDeviceBatchSize);
    }

    /** Guards the per-method default training set of a dataset reference. */
    @Test
    void datasetRefDefaultsToTheSetTheMethodNeeds() {
        DatasetRef ref = new DatasetRef();
        ref.name = "ds";
        assertEquals(TrainingSet.dpo, DatasetRef.effectiveSet(ref, Method.DPO));
        assertEquals(TrainingSet.goldSFT, DatasetRef.effectiveSet(ref, Method.SFT));
        assertEquals(TrainingSet.rejectionSampling, DatasetRef.effectiveSet(ref, Method.RejectionSampling));
        assertEquals(TrainingSet.steerLM, DatasetRef.effectiveSet(ref, Method.SteerLM));
        ref.trainingSet = TrainingSet.rejectionSampling;
        assertEquals(TrainingSet.rejectionSampling, DatasetRef.effectiveSet(ref, Method.SFT));
    }
}
