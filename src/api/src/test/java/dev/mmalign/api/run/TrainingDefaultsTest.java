package dev.mmalign.api.run;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
        in.activationCheckpointing = false;
        TrainingSpec t = TrainingDefaults.resolve(in, Method.DPO);
        assertEquals(1e-3, t.learningRate);
        assertEquals(128, t.maxLength);
        assertEquals(1, t.epochs);
        assertEquals(false, t.activationCheckpointing);
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

    /** Guards that resolving a run fills every training, LoRA and DPO field, null ones included, with the paper's values. */
    @Test
    void aRunIsResolvedWhole() {
        AlignmentRunSpec run = new AlignmentRunSpec();
        run.method = Method.DPO;
        run.training = new TrainingSpec();
        run.training.epochs = null; // an explicit null in a manifest, or a spec built in code
        run.training.scheduler = null;
        run.training.precision = null;
        run.lora = null;
        run.dpo = new DpoSpec();
        run.dpo.beta = null;
        run.dpo.lossType = null;
        run.dpo.precomputeReferenceLogProbs = null;
        TrainingDefaults.resolve(run);
        assertEquals(3, run.training.epochs);
        assertEquals(Scheduler.cosine, run.training.scheduler);
        assertEquals(Precision.fp16, run.training.precision, "a default the engine can honour, so an unset field trains");
        assertEquals(0.03, run.training.warmupRatio);
        assertEquals(0.0, run.training.weightDecay);
        assertEquals(1.0, run.training.maxGradNorm);
        assertEquals(42L, run.training.seed);
        assertEquals(100, run.training.checkpointEverySteps);
        assertEquals(2, run.training.keepCheckpoints);
        assertEquals(true, run.training.activationCheckpointing, "the paper's 13B run needs it to fit");
        assertEquals(true, run.lora.enabled);
        assertEquals(128, run.lora.rank);
        assertEquals(256.0, run.lora.alpha);
        assertEquals(0.05, run.lora.dropout);
        assertEquals(List.of(LoraTarget.values()), run.lora.targetModules);
        assertEquals(false, run.lora.trainProjector);
        assertEquals(0.1, run.dpo.beta);
        assertEquals(LossType.sigmoid, run.dpo.lossType);
        assertEquals(0.0, run.dpo.labelSmoothing);
        assertEquals(false, run.dpo.averageLogProbs);
        assertEquals(true, run.dpo.precomputeReferenceLogProbs);
        assertEquals(0.0, run.dpo.sftLossWeight);
    }

    /** Guards that explicit LoRA and DPO values are kept, and that a non-DPO run gets no DPO settings. */
    @Test
    void explicitLoraAndDpoValuesAreKeptAndSftGetsNoDpo() {
        AlignmentRunSpec run = new AlignmentRunSpec();
        run.method = Method.DPO;
        run.lora.rank = 4;
        run.lora.enabled = false;
        run.dpo = new DpoSpec();
        run.dpo.beta = 0.5;
        run.dpo.lossType = LossType.ipo;
        TrainingDefaults.resolve(run);
        assertEquals(4, run.lora.rank);
        assertEquals(false, run.lora.enabled);
        assertEquals(0.5, run.dpo.beta);
        assertEquals(LossType.ipo, run.dpo.lossType);

        AlignmentRunSpec sft = new AlignmentRunSpec();
        sft.method = Method.SFT;
        TrainingDefaults.resolve(sft);
        assertNull(sft.dpo);
        assertEquals(4e-4, sft.training.learningRate);
    }
}
