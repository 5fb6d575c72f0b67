package dev.mmalign.api.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DpoSpec;
import dev.mmalign.api.run.LoraTarget;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.run.TrainingSpec;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner's breakdown for a model small enough to count by hand (the sums are worked out in the comments). */
class MemoryPlannerTest {
    /** Text: vocab 10, width 8, MLP 16, 2 layers, 2 heads; vision: width 4, MLP 8, 2 layers (1 run), 1 head, 2x2 patches of 4x4. */
    static final String TINY = """
            {"vision_config": {"hidden_size": 4, "intermediate_size": 8, "num_hidden_layers": 2,
              "num_attention_heads": 1, "image_size": 4, "patch_size": 2},
             "text_config": {"vocab_size": 10, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 2,
              "num_attention_heads": 2, "num_key_value_heads": 2},
             "vision_feature_layer": -2}
            """;

    static final ModelShape SHAPE = ModelShape.parse(TINY, "tiny.json");

    static TrainingWorkload sft(boolean checkpointing) {
        return new TrainingWorkload(false, 1, 6, 2, EnumSet.of(LoraTarget.q_proj), false, false, Precision.fp32,
                checkpointing, false, 0);
    }

    @Test
    void countsParametersLikeTheCheckpoint() {
        // layer: q,o 2*64 + k,v 2*64 + MLP 3*8*16 + norms 2*8 = 656; text: 2 * 10*8 + 2*656 + 8 = 1480
        assertEquals(656, SHAPE.decoderLayerParams());
        assertEquals(1480, SHAPE.textParams());
        // vision: patch 4*12 + class 4 + positions 5*4 = 72; layer 4*(16+4) + 2*32 + 8 + 4 + 16 = 172; 72 + 2*172 + 16
        assertEquals(432, SHAPE.visionParams());
        assertEquals(4 * 8 + 8 + 64 + 8, SHAPE.projectorParams());
        assertEquals(4, SHAPE.imageTokens());
        assertEquals(1, SHAPE.visionLayersRun());
    }

    @Test
    void breakdownWithoutCheckpointing() {
        MemoryPlan plan = new MemoryPlanner(SHAPE, false).planTraining(sft(false), 1);
        // LoRA r2 on q_proj: 2 layers * 2 * (8 + 8) = 64 parameters, 16 B each
        assertEquals(64 * 16, plan.bytesOf("trainable+optimiser"));
        assertEquals((2024 - 64) * 4, plan.bytesOf("weights"));
        // per token and block: norms 2*27, q with LoRA 4*8+2, k 8, v 8, rope 72, softmax output 2*6 + output 8, matmul
        // copies 24, merge 8, o 8 + residual 8, gate+up 32, SiLU 48, down 8 + residual 8 = 340 floats; 6 tokens, 2 layers
        long decoder = 2 * 6 * 340 * 4;
        // vision (nothing recorded, no scores kept): 5 positions * 5*4 + 4 patches * 12 = 148, one layer 5 * (10*4 + 4*8)
        long vision = (148 + 360) * 4;
        // embeddings 6 * 2*8, projector 4 * 3*8; head 6 * (3*8 + 3 + 2*10)
        long embed = (6 * 16 + 4 * 24) * 4;
        long head = 6 * 47 * 4;
        assertEquals(decoder + vision + embed + head, plan.bytesOf("activations"));
        // gradients in flight: block 2*8 + max(2*2*6, 3*16) = 64 per token beats the logits' 2*10
        assertEquals(6 * 64 * 4, plan.bytesOf("backward peak"));
        assertEquals(0, plan.bytesOf("workspace"));
        assertEquals(30648, plan.peakBytes());
    }

    @Test
    void checkpointingKeepsBlockInputsAndRecomputesOneBlock() {
        MemoryPlan plan = new MemoryPlanner(SHAPE, false).planTraining(sft(true), 1);
        // decoder: 2 layers * 6 tokens * 8; vision: 148 + the chain's output 5*4; embeddings and head as before
        assertEquals((2 * 6 * 8 + 148 + 20 + 6 * 16 + 4 * 24 + 6 * 47) * 4, plan.bytesOf("activations"));
        // one block recomputed (340 per token) plus its gradients (64 per token), plus the upstream and input
        // gradients (2 * 8 per token)
        assertEquals(6 * (340 + 64 + 16) * 4, plan.bytesOf("backward peak"));
        assertEquals(21512 + 6 * 16 * 4, plan.peakBytes());
    }

    @Test
    void dpoRunsChosenAndRejectedAndSixteenBitWeightsHalveStorage() {
        TrainingWorkload dpo = new TrainingWorkload(true, 1, 6, 2, EnumSet.of(LoraTarget.q_proj), false, false,
                Precision.fp16, false, false, 0);
        MemoryPlan plan = new MemoryPlanner(SHAPE, false).planTraining(dpo, 1);
        MemoryPlan single = new MemoryPlanner(SHAPE, false).planTraining(sft(false), 1);
        assertEquals(2 * single.bytesOf("activations"), plan.bytesOf("activations"));
        assertEquals(single.bytesOf("weights") / 2, plan.bytesOf("weights"));
        // without checkpointing every frozen weight but the embedding table is cast and kept: decoder 2*656, vision 432,
        // LM head 10*8 + final norm 8, projector 112
        assertEquals((2 * 656 + 432 + 88 + 112) * 4, plan.bytesOf("fp32 weight casts"));
        // with it, one decoder block and one vision layer (432 / 2) at a time, plus the LM head and projector
        assertEquals((656 + 216 + 88 + 112) * 4, new MemoryPlanner(SHAPE, false).planTraining(dpo.withCheckpointing(true),
                1).bytesOf("fp32 weight casts"));
    }

    @Test
    void onTheFlyReferenceAddsAGradientFreeForward() {
        TrainingWorkload ref = new TrainingWorkload(true, 1, 6, 2, EnumSet.of(LoraTarget.q_proj), false, false,
                Precision.fp32, false, true, 0);
        MemoryPlanner p = new MemoryPlanner(SHAPE, false);
        long extra = p.planTraining(ref, 1).bytesOf("activations")
                - p.planTraining(new TrainingWorkload(true, 1, 6, 2, EnumSet.of(LoraTarget.q_proj), false, false,
                        Precision.fp32, false, false, 0), 1).bytesOf("activations");
        // per token and block without LoRA, matmul copies or kept softmax: 340 - 26 (LoRA on q) - 24 - 12 = 278; plus the
        // head 3*8 + 2*10
        assertEquals(2 * 6 * (2 * 278 + 44) * 4, extra);
    }

    @Test
    void attentionKeepsOnlyWhatAutogradSavesAndSlicesShrinkOnlyGradients() {
        MemoryPlanner p = new MemoryPlanner(SHAPE, false);
        assertEquals(2 * 6, p.attentionFloats(true, 6)); // one softmax row per head and query
        assertEquals(0, p.attentionFloats(false, 6));
        // Every slice's softmax output is kept for the backward pass, so slicing keeps as much ...
        assertEquals(p.planTraining(sft(false), 1).bytesOf("activations"),
                p.planTraining(sft(false).withAttentionChunk(2), 1).bytesOf("activations"));
        // ... and shrinks only the score gradients in flight: 2*8 + max(2*2*40, 3*16) over 40 keys, the MLP's 2*8 + 3*16
        // once slices are short
        assertEquals(2 * 8 + 2 * 2 * 40, p.blockGradientFloats(40));
        assertEquals(2 * 8 + 3 * 16, p.blockGradientFloats(2));
    }

    /** The engine recomputes a checkpointed block for RecomputeSlicing.DEFAULT_SEQUENCES sequences at a time. */
    @Test
    void checkpointedBackwardPeakGrowsWithTheSliceNotTheBatch() {
        MemoryPlanner p = new MemoryPlanner(SHAPE, false);
        int slice = RecomputeSlicing.DEFAULT_SEQUENCES;
        TrainingWorkload one = sft(true).withBatch(slice);
        TrainingWorkload four = sft(true).withBatch(4 * slice);
        long sliceTokens = slice * 6L;
        // one slice of a block with its gradients (LoRA on q: 340 + 2*8 + 3*16 floats a token), plus the upstream and
        // input gradients of the whole batch (2 * width a token); the logits' gradients (2*10 a token) are smaller
        long perSlice = sliceTokens * (340 + 2 * 8 + 3 * 16) * 4;
        assertEquals(perSlice + 2 * sliceTokens * 8 * 4, p.planTraining(one, 1).bytesOf("backward peak"));
        assertEquals(perSlice + 2 * 4 * sliceTokens * 8 * 4, p.planTraining(four, 1).bytesOf("backward peak"));
        // without checkpointing the batch's own block gradients are in flight: 4x as many
        assertEquals(4 * p.planTraining(one.withCheckpointing(false), 1).bytesOf("backward peak"),
                p.planTraining(four.withCheckpointing(false), 1).bytesOf("backward peak"));
    }

    @Test
    void gpuAddsContextAndSlack() {
        MemoryPlan plan = new MemoryPlanner(SHAPE, true).planTraining(sft(false), 80);
        long act = plan.bytesOf("activations") + plan.bytesOf("backward peak");
        assertEquals(MemoryPlanner.CUDA_CONTEXT_BYTES + (long) (0.05 * act), plan.bytesOf("workspace"));
        assertTrue(plan.fits());
        assertFalse(new MemoryPlanner(SHAPE, true).planTraining(sft(false), 0.5).fits());
        assertTrue(plan.summaryLine().matches("plan: gpu_peak_gib=\\d+\\.\\d\\d gpu_memory_gib=80\\.0 fits=true"));
    }

    @Test
    void samplingBatchIsTheLargestThatFits() {
        MemoryPlanner p = new MemoryPlanner(SHAPE, false);
        MemoryPlan one = p.planSampling(1, 10, Precision.fp32, 1);
        // k and v: 2 layers * 8 * (4 image + 128 text + 10 new positions) * 4 B each
        assertEquals(2 * 2 * 8 * 142 * 4, one.bytesOf("kv cache"));
        double gib = p.planSampling(7, 10, Precision.fp32, 1).peakBytes() / MemoryPlan.GIB;
        assertEquals(7, p.largestSamplingBatch(10, Precision.fp32, gib, 100));
    }

    /**
     * Generation runs one decoder layer at a time (each in its own sub-manager), so a deeper model needs more cache but
     * no more activation memory, and 16-bit weights plan below fp32 ones (their casts are one layer's, not the model's).
     */
    @Test
    void samplingHoldsOneLayerAtATimeAndHalfWeightsPlanLower() {
        ModelShape deeper = ModelShape.parse(TINY.replace("\"intermediate_size\": 16, \"num_hidden_layers\": 2",
                "\"intermediate_size\": 16, \"num_hidden_layers\": 4"), "deeper.json");
        assertEquals(4, deeper.layers());
        MemoryPlan two = new MemoryPlanner(SHAPE, false).planSampling(3, 10, Precision.fp32, 1);
        MemoryPlan four = new MemoryPlanner(deeper, false).planSampling(3, 10, Precision.fp32, 1);
        assertEquals(two.bytesOf("activations"), four.bytesOf("activations"));
        assertEquals(2 * two.bytesOf("kv cache"), four.bytesOf("kv cache"));
        MemoryPlan half = new MemoryPlanner(deeper, false).planSampling(3, 10, Precision.fp16, 1);
        assertEquals(four.bytesOf("kv cache") / 2, half.bytesOf("kv cache"), "the cache follows the weights' dtype");
        assertTrue(half.peakBytes() < four.peakBytes(), half.peakBytes() + " vs " + four.peakBytes());
    }

    @Test
    void runSpecResolvesLikeTheTrainer() {
        AlignmentRunSpec spec = new AlignmentRunSpec();
        spec.method = Method.DPO;
        spec.dpo = new DpoSpec();
        spec.dpo.precomputeReferenceLogProbs = false;
        spec.training = new TrainingSpec();
        spec.training.activationCheckpointing = false;
        TrainingWorkload w = TrainingWorkload.of(spec);
        assertEquals(8, w.perDeviceBatch()); // DPO default
        // the engine's own slice size, so the plan models what the engine does by default
        assertEquals(AttentionChunking.DEFAULT_QUERY_ROWS, w.attentionChunk());
        assertEquals(16, w.sequences());
        assertEquals(876, w.sequenceLength());
        assertEquals(128, w.loraRank());
        assertEquals(Set.of(LoraTarget.values()), w.loraTargets());
        assertFalse(w.activationCheckpointing());
        assertTrue(w.referenceOnTheFly());
        spec.training.activationCheckpointing = null;
        assertTrue(TrainingWorkload.of(spec).activationCheckpointing()); // default on
    }

    @Test
    void badConfigNamesTheFileAndField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelShape.parse(
                "{\"text_config\": {\"hidden_size\": 10, \"num_attention_heads\": 3}}", "models/x/config.json"));
        assertTrue(e.getMessage().contains("models/x/config.json") && e.getMessage().contains("hidden_size"),
                e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ModelShape.parse("[1", "c.json")).getMessage()
                .startsWith("c.json"));
    }
}
