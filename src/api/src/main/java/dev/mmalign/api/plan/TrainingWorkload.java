package dev.mmalign.api.plan;

import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.LoraSpec;
import dev.mmalign.api.run.LoraTarget;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.run.TrainingSpec;
import java.util.EnumSet;
import java.util.Set;

/**
 * What one training micro-step on one device does, as far as memory is concerned: the spec's method, LoRA, batch,
 * length, precision and checkpointing, resolved with the same defaults the trainer uses.
 *
 * @param perDeviceBatch examples per micro-step and device (pairs for DPO: twice as many sequences run)
 * @param sequenceLength positions per sequence, image included (the spec's maxLength: batches pad to their longest)
 * @param loraRank 0 for full fine-tuning of the language model
 * @param referenceOnTheFly DPO computing its reference log-probs every step (a second, gradient-free forward)
 * @param attentionChunk query rows per attention slice (the engine's is {@link AttentionChunking#DEFAULT_QUERY_ROWS});
 *     0 for all rows at once
 */
public record TrainingWorkload(boolean dpo, int perDeviceBatch, int sequenceLength, int loraRank,
        Set<LoraTarget> loraTargets, boolean loraDropout, boolean trainProjector, Precision precision,
        boolean activationCheckpointing, boolean referenceOnTheFly, int attentionChunk) {

    public TrainingWorkload {
        loraTargets = loraTargets.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(loraTargets));
    }

    /** Sequences in one micro-step: chosen and rejected run as one batch in DPO. */
    public int sequences() {
        return dpo ? 2 * perDeviceBatch : perDeviceBatch;
    }

    public boolean lora() {
        return loraRank > 0;
    }

    public TrainingWorkload withBatch(int batch) {
        return new TrainingWorkload(dpo, batch, sequenceLength, loraRank, loraTargets, loraDropout, trainProjector,
                precision, activationCheckpointing, referenceOnTheFly, attentionChunk);
    }

    public TrainingWorkload withAttentionChunk(int chunk) {
        return new TrainingWorkload(dpo, perDeviceBatch, sequenceLength, loraRank, loraTargets, loraDropout,
                trainProjector, precision, activationCheckpointing, referenceOnTheFly, chunk);
    }

    public TrainingWorkload withCheckpointing(boolean on) {
        return new TrainingWorkload(dpo, perDeviceBatch, sequenceLength, loraRank, loraTargets, loraDropout,
                trainProjector, precision, on, referenceOnTheFly, attentionChunk);
    }

    /** The workload of a run's train stage, its defaults resolved as the operator resolves them. */
    public static TrainingWorkload of(AlignmentRunSpec spec) {
        Method method = spec.method == null ? Method.SFT : spec.method;
        TrainingSpec t = TrainingDefaults.resolve(spec.training, method);
        LoraSpec l = TrainingDefaults.resolve(spec.lora);
        boolean lora = Boolean.TRUE.equals(l.enabled);
        boolean dpo = method == Method.DPO;
        boolean onTheFly = dpo && !Boolean.TRUE.equals(TrainingDefaults.resolve(spec.dpo).precomputeReferenceLogProbs);
        // TrainingDefaults fills the field (default true), as the train stage reads it.
        boolean checkpointing = t.activationCheckpointing;
        return new TrainingWorkload(dpo, t.perDeviceBatchSize, t.maxLength, lora ? l.rank : 0,
                lora ? EnumSet.copyOf(l.targetModules) : EnumSet.noneOf(LoraTarget.class),
                lora && l.dropout > 0, lora && Boolean.TRUE.equals(l.trainProjector), t.precision, checkpointing,
                onTheFly, AttentionChunking.DEFAULT_QUERY_ROWS);
    }
}
