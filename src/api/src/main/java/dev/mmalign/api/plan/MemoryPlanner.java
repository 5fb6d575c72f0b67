package dev.mmalign.api.plan;

import dev.mmalign.api.run.LoraTarget;
import dev.mmalign.api.run.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Predicts the peak device memory of a train step or of sampling from the model's shape and the workload, by counting
 * the tensors the engine really keeps (trainer-image's LlavaModel and TrainingLoop), not by rules of thumb:
 *
 * <ul>
 * <li>Every op's result lives on the step's NDManager until the step ends, so the forward pass keeps every
 *     intermediate, whether autograd needs it or not (the frozen vision tower included); the counts below list them
 *     op by op, per token, in fp32. Matmuls over head-split views also keep contiguous copies of q, k and v when
 *     autograd records them.
 * <li>The peak is reached in the backward pass: everything the forward kept plus the gradients in flight (the
 *     logits' two [T, V] gradients at the head, or one block's largest gradients).
 * <li>With activation checkpointing a block keeps only its input; the backward pass recomputes one block at a time
 *     with gradients, for {@link RecomputeSlicing#DEFAULT_SEQUENCES} sequences at a time, so one slice of one
 *     block's full intermediates is added at the peak.
 * <li>Trainable parameters cost 16 bytes each (fp32 value, gradient, AdamW's two moments); frozen weights 2 bytes
 *     (fp16/bf16 storage, cast to fp32 one block at a time) or 4 (fp32).
 * </ul>
 * The figures are a plan, checked against measured peaks on CPU by {@code mmalign-trainer bench} (plan_err_pct).
 */
public final class MemoryPlanner {
    /** CUDA context, cuBLAS workspace and the caching allocator's fixed overhead. */
    static final long CUDA_CONTEXT_BYTES = 768L << 20;
    /** Fragmentation of the caching allocator, as a fraction of the activation bytes. */
    static final double ALLOCATOR_SLACK = 0.05;
    /** Prompt text tokens assumed for sampling besides the image positions (LLaVA-Bench-style questions). */
    public static final int SAMPLING_PROMPT_TEXT_TOKENS = 128;
    private static final int F32 = 4;

    private final ModelShape m;
    private final boolean gpu;

    /**
     * @param gpu whether to add the CUDA context and allocator slack (false when comparing with CPU measurements,
     *     where neither exists)
     */
    public MemoryPlanner(ModelShape model, boolean gpu) {
        this.m = model;
        this.gpu = gpu;
    }

    // ------------------------------------------------------------------------------------------------ training

    public MemoryPlan planTraining(TrainingWorkload w, double gpuMemoryGiB) {
        List<MemoryPlan.Item> items = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long s = w.sequences();
        long t = w.sequenceLength();
        long tokens = s * t;

        long trainable = trainableParams(w);
        long frozen = m.totalParams() - trainable;
        int frozenBytes = frozenBytesPerParam(w.precision());
        items.add(new MemoryPlan.Item("weights", frozen * frozenBytes, String.format(Locale.ROOT,
                "%,d frozen parameters x %d B (%s storage)", frozen, frozenBytes, frozenBytes == 2 ? "16-bit" : "fp32")));
        items.add(new MemoryPlan.Item("trainable+optimiser", trainable * 16L, String.format(Locale.ROOT,
                "%,d trainable parameters x 16 B (fp32 value, gradient, AdamW m and v)", trainable)));

        long images = s; // each sequence encodes its own image
        boolean ckpt = w.activationCheckpointing();
        long vision = images * visionForwardFloats(ckpt) * F32;
        long embed = tokens * (2L * m.hidden()) * F32 + images * m.imageTokens() * projectorFloats(w) * F32;
        long block = tokens * decoderBlockFloats(w, true, t) * F32;
        long kept = ckpt ? (long) m.layers() * tokens * m.hidden() * F32 : m.layers() * block;
        long head = tokens * headFloats() * F32;
        long headGrad = tokens * 2L * m.vocab() * F32;
        long blockGradFloats = blockGradientFloats(w.attentionChunk() > 0 ? Math.min(w.attentionChunk(), t) : t);
        long blockGrad = tokens * blockGradFloats * F32;
        long sliceSequences = Math.min(RecomputeSlicing.DEFAULT_SEQUENCES, s);
        long sliceTokens = sliceSequences * t;
        // Checkpointed: one slice of one block recomputed with its gradients, plus the block's upstream gradient and
        // its input gradient being assembled slice by slice (each [B, T, D]).
        long recompute = sliceTokens * (decoderBlockFloats(w, true, t) + blockGradFloats) * F32
                + 2L * tokens * m.hidden() * F32;
        long backward = ckpt ? Math.max(headGrad, recompute) : Math.max(headGrad, blockGrad);
        long reference = 0;
        if (w.referenceOnTheFly()) {
            // A gradient-free forward with LoRA off; its results stay on the step's manager like the policy's.
            long refBlock = tokens * decoderBlockFloats(w, false, t) * F32;
            reference = (ckpt ? (long) m.layers() * tokens * m.hidden() * F32 : m.layers() * refBlock)
                    + tokens * (3L * m.hidden() + 2L * m.vocab()) * F32;
        }
        long activations = vision + embed + kept + head + reference;
        items.add(new MemoryPlan.Item("activations", activations, String.format(Locale.ROOT,
                "%d sequences x %d positions; %s; vision %.2f GiB, decoder %.2f GiB, logits %.2f GiB%s", s, t,
                ckpt ? "checkpointed: block inputs only" : "every block's intermediates kept", vision / MemoryPlan.GIB,
                kept / MemoryPlan.GIB, head / MemoryPlan.GIB, reference > 0 ? String.format(Locale.ROOT,
                ", reference forward %.2f GiB", reference / MemoryPlan.GIB) : "")));
        items.add(new MemoryPlan.Item("backward peak", backward, ckpt
                ? String.format(Locale.ROOT, "one block recomputed with gradients for %d of the %d sequences at a"
                        + " time, plus its gradients in flight (or the logits' gradients)", sliceSequences, s)
                : "gradients in flight at the largest of the logits and a block"));
        if (frozenBytes == 2) {
            items.add(castItem(w));
        }
        items.add(workspace(activations + backward));
        notes.add(attentionNote(w.attentionChunk()));
        return new MemoryPlan(String.format(Locale.ROOT, "%s train step, %d %s per device, %d positions, %s%s",
                w.dpo() ? "DPO" : "SFT", w.perDeviceBatch(), w.dpo() ? "pairs" : "examples", t,
                w.lora() ? "LoRA r" + w.loraRank() : "full fine-tuning",
                ckpt ? ", activation checkpointing" : ", no activation checkpointing"), items, gpuMemoryGiB, notes);
    }

    /**
     * 16-bit frozen weights are cast to fp32 at each use, on the manager of the activation they meet: a checkpointed
     * block's casts go with the block's sub-manager, every other cast (all blocks without checkpointing; the LM head,
     * the final norm and a frozen projector either way) stays until the step ends. The embedding table is gathered in
     * fp16 and never cast whole.
     */
    private MemoryPlan.Item castItem(TrainingWorkload w) {
        long head = (long) m.vocab() * m.hidden() + m.hidden();
        long projector = w.trainProjector() ? 0 : m.projectorParams();
        long visionLayer = m.visionParams() / m.visionLayers();
        long decoder = w.lora() ? m.layers() * m.decoderLayerParams() : 0; // full fine-tuning trains them in fp32
        long params;
        String detail;
        if (w.activationCheckpointing()) {
            params = (w.lora() ? m.decoderLayerParams() : 0) + visionLayer + (w.lora() ? head : 0) + projector;
            detail = "one block's frozen weights cast to fp32 at a time, plus the LM head and frozen projector";
        } else {
            params = decoder + m.visionParams() + (w.lora() ? head : 0) + projector;
            detail = "every frozen weight but the embedding table, cast to fp32 and kept until the step ends";
        }
        return new MemoryPlan.Item("fp32 weight casts", params * F32, detail);
    }

    /** The largest per-device batch, at most {@code w}'s, whose step fits; 0 if not even one example does. */
    public int largestTrainingBatch(TrainingWorkload w, double gpuMemoryGiB) {
        for (int b = w.perDeviceBatch(); b >= 1; b--) {
            if (planTraining(w.withBatch(b), gpuMemoryGiB).fits()) {
                return b;
            }
        }
        return 0;
    }

    long trainableParams(TrainingWorkload w) {
        if (!w.lora()) {
            return m.textParams(); // full fine-tuning trains the language model; the projector too is not counted
        }
        long perLayer = 0;
        for (LoraTarget target : w.loraTargets()) {
            perLayer += (long) w.loraRank() * (inDim(target) + outDim(target));
        }
        return m.layers() * perLayer + (w.trainProjector() ? m.projectorParams() : 0);
    }

    private static int frozenBytesPerParam(Precision p) {
        return p == Precision.fp32 ? 4 : 2;
    }

    private long inDim(LoraTarget target) {
        return target == LoraTarget.down_proj ? m.intermediate() : m.hidden();
    }

    private long outDim(LoraTarget target) {
        return switch (target) {
            case k_proj, v_proj -> m.kvDim();
            case gate_proj, up_proj -> m.intermediate();
            default -> m.hidden();
        };
    }

    /**
     * Floats one decoder block keeps per token (LlavaModel.decoderBlock, op by op).
     *
     * @param withGrad whether autograd records the block (LoRA on and trained); without, LoRA is off and matmul's
     *     contiguous copies are freed at once
     * @param keys positions attended over
     */
    long decoderBlockFloats(TrainingWorkload w, boolean withGrad, long keys) {
        long d = m.hidden();
        long kv = m.kvDim();
        long i = m.intermediate();
        long f = 0;
        f += 2 * (3 * d + 3); // two RMSNorms: x*x, mean, +eps, pow, x*rms, *weight
        f += linear(w, withGrad, LoraTarget.q_proj, d, d) + linear(w, withGrad, LoraTarget.k_proj, kv, d)
                + linear(w, withGrad, LoraTarget.v_proj, kv, d);
        f += (9 * (d + kv)) / 2; // rope on q and k: neg of a half, concat, two products, sum
        if (m.heads() != m.kvHeads()) {
            f += 2 * d; // grouped-query repeat of k and v
        }
        f += attentionFloats(withGrad, keys) + d; // softmax outputs autograd keeps + output
        if (withGrad) {
            f += d + 2 * kv; // contiguous copies of q, k and v that the batched matmuls save
        }
        f += d; // merging heads copies the transposed output
        f += linear(w, withGrad, LoraTarget.o_proj, d, d) + d; // + residual
        f += linear(w, withGrad, LoraTarget.gate_proj, i, d) + linear(w, withGrad, LoraTarget.up_proj, i, d);
        f += 3 * i; // sigmoid, SiLU product, times up
        f += linear(w, withGrad, LoraTarget.down_proj, d, i) + d; // + residual
        return f;
    }

    /**
     * Score rows a block keeps per query: the engine frees the score chain as it goes (see {@link AttentionChunking}),
     * so only the softmax output that autograd saves stays, one [H, keys] row per query whatever the chunk; a block
     * run without autograd keeps none.
     */
    long attentionFloats(boolean recorded, long keys) {
        return recorded ? (long) m.heads() * keys : 0;
    }

    /**
     * A linear layer's output, plus LoRA's dropout, down and up projections, scaling and sum when adapted. Dropout on
     * CPU and GPU libtorch alike keeps two input-sized tensors (the scaled Bernoulli noise, saved for the backward
     * pass, and the product); measured: 16.7 floats per token and width unit per layer for the seven adapters of a
     * 512-wide decoder, where one input-sized tensor per adapter would be 7.75.
     */
    private long linear(TrainingWorkload w, boolean withGrad, LoraTarget target, long out, long in) {
        if (!withGrad || !w.lora() || !w.loraTargets().contains(target)) {
            return out;
        }
        return 4 * out + w.loraRank() + (w.loraDropout() ? 2 * in : 0);
    }

    /**
     * Gradients alive at once inside a block's backward: the residual stream's, and the larger of attention's (two
     * score-sized rows over {@code scoreColumns}) or the MLP's.
     */
    long blockGradientFloats(long scoreColumns) {
        return 2L * m.hidden() + Math.max(2L * m.heads() * scoreColumns, 3L * m.intermediate());
    }

    /** Final norm, logits, log-softmax (per token). */
    long headFloats() {
        return 3L * m.hidden() + 3 + 2L * m.vocab();
    }

    /** Projected image features per image position: linear, GELU, linear (in the text width). */
    private long projectorFloats(TrainingWorkload w) {
        return 3L * m.hidden();
    }

    /**
     * Floats the frozen vision tower leaves per image: patch cut, embeddings and pre-norm, then per run layer two
     * LayerNorms, q/k/v/out projections, merged heads, fc1, quick-GELU (3 ops), fc2 and two residual sums (autograd
     * records nothing in the frozen tower, so its score chain is freed as it goes). With checkpointing the frozen
     * tower's chain is not recorded (nothing in or before it is trained), so each block's input is freed once the
     * next has run, and only the chain's output stays.
     */
    long visionForwardFloats(boolean checkpointed) {
        long p = m.imageTokens() + 1L;
        long d = m.visionHidden();
        long pre = p * (5 * d) + (long) m.imageTokens() * 3 * m.patchSize() * m.patchSize();
        if (checkpointed) {
            return pre + p * d;
        }
        return pre + m.visionLayersRun() * p * (10 * d + 4L * m.visionIntermediate()); // no autograd: no scores kept
    }

    private MemoryPlan.Item workspace(long activationBytes) {
        if (!gpu) {
            return new MemoryPlan.Item("workspace", 0, "none on CPU");
        }
        long slack = (long) (ALLOCATOR_SLACK * activationBytes);
        return new MemoryPlan.Item("workspace", CUDA_CONTEXT_BYTES + slack, String.format(Locale.ROOT,
                "CUDA context and cuBLAS workspace %d MiB + %.0f %% allocator slack on activations",
                CUDA_CONTEXT_BYTES >> 20, ALLOCATOR_SLACK * 100));
    }

    private static String attentionNote(int chunk) {
        return (chunk > 0 ? "attention in slices of " + chunk + " query rows" : "attention over all query rows at once")
                + ": a recorded block keeps one [B, H, T, T] fp32 softmax output; gradients in flight are one slice's";
    }

    // ------------------------------------------------------------------------------------------------ sampling

    /**
     * Sampling with a KV cache, as trainer-image's Generator runs it: weights; the cache at full capacity, in the
     * weights' storage dtype; the batch's prompt embeddings (kept for the whole generation); and the largest single
     * step. The engine runs each decoder layer of a step in its own sub-manager and each image through the vision
     * tower in its own, so a step holds one layer's intermediates (and one layer's fp32 casts of 16-bit weights) at a
     * time: the prefill's largest layer, the prefill's logits over every prompt position, or a late decode step's
     * fp32 read of one layer's 16-bit cache, whichever is largest.
     *
     * @param sequences sequences decoded together (the sample stage's batchSize × completionsPerPrompt)
     */
    public MemoryPlan planSampling(int sequences, int maxNewTokens, Precision precision, double gpuMemoryGiB) {
        return planSampling(sequences, m.imageTokens() + SAMPLING_PROMPT_TEXT_TOKENS, maxNewTokens, precision,
                gpuMemoryGiB);
    }

    /** As {@link #planSampling(int, int, Precision, double)} with {@code prompt} positions per prompt, image included. */
    public MemoryPlan planSampling(int sequences, long prompt, int maxNewTokens, Precision precision,
            double gpuMemoryGiB) {
        List<MemoryPlan.Item> items = new ArrayList<>();
        long b = sequences;
        long capacity = prompt + maxNewTokens;
        int frozenBytes = frozenBytesPerParam(precision);
        boolean half = frozenBytes == 2;
        long d = m.hidden();
        items.add(new MemoryPlan.Item("weights", m.totalParams() * frozenBytes, String.format(Locale.ROOT,
                "%,d parameters x %d B", m.totalParams(), frozenBytes)));
        long kv = b * 2L * m.layers() * m.kvDim() * capacity * frozenBytes;
        items.add(new MemoryPlan.Item("kv cache", kv, String.format(Locale.ROOT,
                "%d sequences x %d positions x %d layers x k,v x %d x %d B", b, capacity, m.layers(), m.kvDim(),
                frozenBytes)));
        // Kept while the batch generates: each sequence's token embeddings, image features, the spliced row, and the
        // stacked batch.
        long kept = b * (3L * prompt * d + (long) m.imageTokens() * d) * F32;
        // The prefill: the step's copy of the batch, rope rows, the attention bias [B, 1, P, P]; then one layer at a
        // time (its input, its intermediates, two score slices in flight, its fp32 read of a 16-bit cache) or the
        // head (final norm and logits at every position).
        TrainingWorkload inference = new TrainingWorkload(false, sequences, (int) prompt, 0, java.util.Set.of(), false,
                false, precision, false, false, AttentionChunking.DEFAULT_QUERY_ROWS);
        long stepInputs = b * prompt * (d + 2L * m.headDim() + prompt) * F32;
        long scores = 2L * b * m.heads() * Math.min(AttentionChunking.DEFAULT_QUERY_ROWS, prompt) * prompt;
        long layer = (b * prompt * (d + decoderBlockFloats(inference, false, prompt)) + scores
                + (half ? 2L * b * m.kvDim() * prompt : 0)) * F32;
        long head = b * prompt * (3L * d + 3 + m.vocab()) * F32;
        long layerCast = half ? m.decoderLayerParams() * F32 : 0;
        long headCast = half ? ((long) m.vocab() * d + d) * F32 : 0;
        long prefill = stepInputs + Math.max(layer + layerCast, head + headCast);
        // A decode step at full length: one layer reads its 16-bit cache back as fp32 keys and values.
        long decode = (half ? 2L * b * m.kvDim() * capacity * F32 : 0) + layerCast;
        // One image at a time through the vision tower (its casts included), while the embeddings are being built.
        long vision = (visionForwardFloats(false) + 3L * m.imageTokens() * d) * F32
                + (half ? (m.visionParams() + m.projectorParams()) * F32 : 0);
        long step = Math.max(prefill, Math.max(decode, vision));
        String largest = step == prefill ? (layer + layerCast >= head + headCast ? "a prefill layer" : "the prefill's logits")
                : step == decode ? "a decode step's fp32 read of one layer's cache" : "one image's vision tower";
        long casts = step == prefill ? (layer + layerCast >= head + headCast ? layerCast : headCast)
                : step == decode ? layerCast : (half ? (m.visionParams() + m.projectorParams()) * F32 : 0);
        items.add(new MemoryPlan.Item("activations", kept + step - casts, String.format(Locale.ROOT,
                "prompt embeddings of %d x %d positions kept %.2f GiB; largest step (%s) %.2f GiB", b, prompt,
                kept / MemoryPlan.GIB, largest, (step - casts) / MemoryPlan.GIB)));
        if (half) {
            items.add(new MemoryPlan.Item("fp32 weight casts", casts,
                    "16-bit weights cast to fp32 for one layer (or the LM head, or the vision tower) at a time"));
        }
        items.add(workspace(kept + step));
        return new MemoryPlan(String.format(Locale.ROOT, "sampling, %d sequences, %d prompt + %d new positions", b,
                prompt, maxNewTokens), items, gpuMemoryGiB,
                List.of("prompt assumed " + SAMPLING_PROMPT_TEXT_TOKENS + " text tokens plus the image"));
    }

    /** The largest sampling batch up to {@code cap} that fits; 0 if none. */
    public int largestSamplingBatch(int maxNewTokens, Precision precision, double gpuMemoryGiB, int cap) {
        int best = 0;
        for (int b = 1; b <= cap; b++) {
            if (!planSampling(b, maxNewTokens, precision, gpuMemoryGiB).fits()) {
                break;
            }
            best = b;
        }
        return best;
    }
}
