package dev.mmalign.trainer.engine.model;


import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.api.plan.AttentionChunking;
import dev.mmalign.api.plan.RecomputeSlicing;
import dev.mmalign.trainer.engine.safetensors.DType;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * LLaVA: a CLIP vision tower, a 2-layer GELU projector and a LLaMA decoder, written as plain tensor
 * functions over a map of weights named exactly as in llava-hf checkpoints
 * ({@code vision_tower.vision_model.*}, {@code multi_modal_projector.*}, {@code language_model.*}).
 *
 * <p>Read top to bottom: {@link #encodeImages} (pixels → patch features → projected image tokens),
 * {@link #embedTokens}, {@link #decode} (decoder layers → logits). Splicing image tokens at the
 * {@code <image>} token happens in {@code data.Batch}, which builds the embeddings sequence.
 *
 * <p>Memory rule: every op is called on an activation, never on a weight, because DJL puts an op's result
 * on the manager of the array it is called on; activations live on the caller's per-step manager and are
 * freed with it, while weights live on this model's manager.
 *
 * <p>Precision: a base weight may be stored on the device in fp16 ({@link #storeAs}); every use reads it through
 * {@link #w(String, NDArray)}, which casts it to fp32 on the activation's manager, so all arithmetic runs in fp32.
 * DJL's {@code toType} records no autograd history, so only frozen weights may be stored in fp16: a trainable one
 * would get no gradient ({@link #storeAs} is called by the training loop with that rule).
 */
public final class LlavaModel implements AutoCloseable {
    /** A LoRA pair on one linear layer: y += scale * B(A(dropout(x))). A is [r, in], B is [out, r]. */
    public record LoraWeights(NDArray a, NDArray b, float scale, float dropout) {}

    public static final String VISION = "vision_tower.vision_model.";
    public static final String PROJECTOR = "multi_modal_projector.";
    public static final String TEXT = "language_model.model.";
    public static final String LM_HEAD = "language_model.lm_head.weight";
    private static final float MASKED = -1e9f; // finite, so fully masked padding rows never produce NaN
    /** Queries per attention chunk: the value the memory planner assumes (see {@link AttentionChunking}). */
    public static final int DEFAULT_ATTENTION_QUERY_CHUNK = AttentionChunking.DEFAULT_QUERY_ROWS;
    /** Dropout reseeds libtorch's process-wide generator: replicas on other threads must not interleave with it. */
    private static final Object DROPOUT_SEEDING = new Object();

    private final LlavaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();
    private final Map<String, DType> storageTypes = new LinkedHashMap<>();
    private final Map<String, LoraWeights> lora = new LinkedHashMap<>();
    /** 0-dim float32 constants by their bits, on this model's manager (see {@link #scalar}). */
    private final Map<Integer, NDArray> constants = new java.util.concurrent.ConcurrentHashMap<>();
    private boolean shareConstants = true;
    private Map<String, long[]> expectedShapes;
    private final NDArray ropeCos;
    private final NDArray ropeSin;
    private boolean training;
    private boolean loraEnabled = true;
    private ActivationCheckpoints checkpoints;
    private long dropoutSeed;
    /** Sequences per LoRA dropout draw; a slice a checkpointed block runs on must be a multiple of it. */
    private int dropoutRowsPerDraw = RecomputeSlicing.DEFAULT_SEQUENCES;
    /** First sequence, within the micro-batch, of the rows the running block sees (0 unless sliced). */
    private long rowOffset;
    private int attentionQueryChunk = DEFAULT_ATTENTION_QUERY_CHUNK;

    private LlavaModel(LlavaConfig config, NDManager parent) {
        this.config = config;
        this.manager = parent.newSubManager();
        float[][] table = ropeTables(config.text());
        long[] shape = {config.text().maxPositions(), config.text().headDim()};
        this.ropeCos = OwnedArrays.of(manager, table[0], new Shape(shape));
        this.ropeSin = OwnedArrays.of(manager, table[1], new Shape(shape));
    }

    /** A model with the given weights (HF names); every expected weight must be present with its shape. */
    public static LlavaModel fromTensors(LlavaConfig config, NDManager parent, Map<String, Tensor> tensors) {
        LlavaModel m = new LlavaModel(config, parent);
        Map<String, long[]> expected = WeightNames.expectedShapes(config);
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null && e.getKey().equals(LM_HEAD) && config.text().tieWordEmbeddings()) {
                t = tensors.get(TEXT + "embed_tokens.weight");
            }
            if (t == null) {
                m.close();
                throw new IllegalArgumentException("checkpoint has no tensor '" + e.getKey() + "'");
            }
            if (!java.util.Arrays.equals(t.shape(), e.getValue())) {
                m.close();
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape "
                        + java.util.Arrays.toString(t.shape()) + ", config expects "
                        + java.util.Arrays.toString(e.getValue()));
            }
            m.weights.put(e.getKey(), OwnedArrays.of(m.manager, t.data(), new Shape(t.shape())));
            m.storageTypes.put(e.getKey(), t.dtype());
        }
        return m;
    }

    /**
     * A freshly initialised model, seeded and engine-independent: zero biases, unit norms, and every matrix drawn
     * from N(0, std) with a width-aware std (see {@link #initStd}).
     */
    public static LlavaModel initialize(LlavaConfig config, NDManager parent, long seed) {
        Random rnd = new Random(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : WeightNames.expectedShapes(config).entrySet()) {
            String name = e.getKey();
            float[] data = new float[(int) Tensor.numel(e.getValue())];
            boolean isNorm = name.contains("norm") || name.contains("layrnorm") || name.contains("layer_norm");
            if (isNorm && name.endsWith(".weight")) {
                java.util.Arrays.fill(data, 1f);
            } else if (!name.endsWith(".bias")) {
                double std = initStd(config, name, e.getValue());
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (rnd.nextGaussian() * std);
                }
            }
            tensors.put(name, Tensor.f32(data, e.getValue()));
        }
        return fromTensors(config, parent, tensors);
    }

    /**
     * Standard deviation of a fresh weight. Why not Hugging Face's flat {@code initializer_range} 0.02: it is tuned
     * for widths in the thousands (0.02 · sqrt(4096) ≈ 1.3, so a linear layer keeps the signal's scale); at the tiny
     * preset's width of 64 every linear layer shrinks its input about 6×, so after the vision tower and the two
     * projector layers the difference between two images reaches the decoder some 40× weaker than the projector's
     * bias, and the model never learns to look (measured: features of different images differed by under 1 %).
     * Fan-in scaling, 1/sqrt(in), keeps unit scale at any width; layers that write into a residual stream are scaled
     * down by 1/sqrt(2 · layers) as in GPT-2, so the stream does not grow with depth; embedding tables are N(0, 1)
     * so token embeddings sit at the scale of the projected image tokens beside them; position embeddings start small.
     */
    static double initStd(LlavaConfig config, String name, long[] shape) {
        if (name.endsWith("position_embedding.weight")) {
            return 0.02;
        }
        if (name.endsWith("class_embedding") || name.endsWith("embed_tokens.weight")) {
            return 1.0;
        }
        long fanIn = 1;
        for (int d = 1; d < shape.length; d++) {
            fanIn *= shape[d];
        }
        double std = 1.0 / Math.sqrt(fanIn);
        boolean vision = name.startsWith(VISION);
        boolean writesResidual = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight")
                || name.endsWith("out_proj.weight") || name.endsWith("fc2.weight");
        if (writesResidual) {
            int layers = vision ? config.vision().numLayers() : config.text().numLayers();
            std /= Math.sqrt(2.0 * layers);
        }
        return std;
    }

    // ---------------------------------------------------------------- vision tower + projector

    /** pixels [B, 3, H, W] (normalised) → image tokens in the decoder's embedding space [B, patches, D]. */
    public NDArray encodeImages(NDArray pixels) {
        LlavaConfig.VisionConfig v = config.vision();
        long b = pixels.getShape().get(0);
        int p = v.patchSize();
        int grid = v.imageSize() / p;
        // Patch embedding = a stride-p convolution without bias, written as "cut into patches, then linear".
        NDArray patches = pixels.reshape(b, 3, grid, p, grid, p).transpose(0, 2, 4, 1, 3, 5)
                .reshape(b, (long) grid * grid, 3L * p * p);
        NDArray convWeight = w(VISION + "embeddings.patch_embedding.weight", pixels).reshape(v.hiddenSize(), 3L * p * p);
        convWeight = convWeight.getManager() == pixels.getManager() ? convWeight : own(convWeight, pixels);
        NDArray x = linear(patches, convWeight, null);
        // Prepend the class token, add learned position embeddings, pre-LayerNorm.
        NDArray cls = pixels.getManager().zeros(new Shape(b, 1, v.hiddenSize()))
                .add(w(VISION + "embeddings.class_embedding", pixels));
        x = cls.concat(x, 1).add(w(VISION + "embeddings.position_embedding.weight", pixels));
        x = layerNorm(x, VISION + "pre_layrnorm", v.layerNormEps());
        // LLaVA takes the hidden state of layer `vision_feature_layer` (-2: the penultimate), so later
        // layers are never run; the CLS token is dropped under the "default" select strategy, kept under "full".
        int layers = config.visionFeatureLayer() >= 0 ? config.visionFeatureLayer()
                : v.numLayers() + 1 + config.visionFeatureLayer();
        List<ActivationCheckpoints.Block> blocks = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            String prefix = VISION + "encoder.layers." + i + ".";
            blocks.add((in, rows) -> onRows(rows, () -> visionBlock(in, prefix)));
        }
        x = runBlocks(x, blocks, VISION + "encoder.layers.", VISION + "embeddings.", VISION + "pre_layrnorm");
        if (!LlavaConfig.SELECT_FULL.equals(config.visionFeatureSelectStrategy())) {
            x = x.get(":, 1:, :");
        }
        // Projector: linear → GELU → linear, into the language model's width.
        x = proj(x, PROJECTOR + "linear_1", true);
        x = activation(x, config.projectorHiddenAct());
        return proj(x, PROJECTOR + "linear_2", true);
    }

    /** Pre-LayerNorm transformer block: x + attn(ln1(x)), then x + mlp(ln2(x)); full (non-causal) attention. */
    private NDArray visionBlock(NDArray x, String prefix) {
        LlavaConfig.VisionConfig v = config.vision();
        NDArray h = layerNorm(x, prefix + "layer_norm1", v.layerNormEps());
        NDArray q = heads(proj(h, prefix + "self_attn.q_proj", true), v.numHeads());
        NDArray k = heads(proj(h, prefix + "self_attn.k_proj", true), v.numHeads());
        NDArray val = heads(proj(h, prefix + "self_attn.v_proj", true), v.numHeads());
        x = x.add(proj(mergeHeads(attention(q, k, val, null)), prefix + "self_attn.out_proj", true));
        h = layerNorm(x, prefix + "layer_norm2", v.layerNormEps());
        h = proj(activation(proj(h, prefix + "mlp.fc1", true), v.hiddenAct()), prefix + "mlp.fc2", true);
        return x.add(h);
    }

    // ---------------------------------------------------------------- language model

    /** token ids [B, T] (int64) → embeddings [B, T, D]. */
    public NDArray embedTokens(NDArray ids) {
        NDArray table = w(TEXT + "embed_tokens.weight");
        NDArray rows = ex(ids).embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
        // An fp16 table is gathered in fp16 and only the gathered rows are cast: the table is frozen then.
        return rows.getDataType() == DataType.FLOAT32 ? rows : rows.toType(DataType.FLOAT32, false);
    }

    /**
     * The LLaMA decoder: embeddings [B, T, D] at absolute positions [B, T] (int64) → logits [B, T, V].
     *
     * @param keyPadMask [B, S] float, 1 for real tokens and 0 for left padding (S = cached + T), or null
     * @param cache keys/values of earlier positions, extended in place; null to attend within h only
     */
    public NDArray decode(NDArray h, NDArray positions, NDArray keyPadMask, KvCache cache) {
        LlavaConfig.TextConfig t = config.text();
        long seen = cache == null ? 0 : cache.length();
        long newTokens = h.getShape().get(1);
        NDArray bias = causalBias(h.getManager(), newTokens, seen + newTokens);
        if (keyPadMask != null) {
            // [B, S] → [B, 1, 1, S]: 0 for real keys, MASKED for padding.
            NDArray pad = keyPadMask.sub(scalar(keyPadMask, 1f)).mul(scalar(keyPadMask, -MASKED)).reshape(keyPadMask.getShape().get(0), 1, 1, -1);
            bias = pad.add(bias);
        }
        NDArray cos = ex(positions).embedding(positions, ropeCos, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
        NDArray sin = ex(positions).embedding(positions, ropeSin, SparseFormat.DENSE).singletonOrThrow().expandDims(1);
        if (cache == null) {
            NDArray attnBias = bias;
            List<ActivationCheckpoints.Block> blocks = new ArrayList<>();
            for (int i = 0; i < t.numLayers(); i++) {
                String prefix = TEXT + "layers." + i + ".";
                int layer = i;
                // cos and sin are per sequence; the bias is too once it carries a padding mask ([B, 1, T, S]).
                blocks.add((in, rows) -> onRows(rows, () -> decoderBlock(in, prefix, layer, rows.of(cos), rows.of(sin),
                        attnBias.getShape().dimension() == 4 ? rows.of(attnBias) : attnBias, null)));
            }
            h = runBlocks(h, blocks, TEXT + "layers.", TEXT + "embed_tokens", PROJECTOR, VISION);
        } else {
            h = cachedLayers(h, cos, sin, bias, cache);
        }
        h = rmsNorm(h, TEXT + "norm.weight", t.rmsNormEps());
        return linear(h, w(LM_HEAD, h), null);
    }

    /**
     * The decoder layers of a generation step (with a KV cache: never differentiated), each in its own sub-manager of
     * {@code h}'s: a layer's intermediates and its fp32 casts of 16-bit weights are freed when it returns, so a prefill
     * holds one layer's worth at a time rather than every layer's until the step ends. Only each layer's output and
     * the cache's writes survive; {@code h} itself stays the caller's.
     */
    private NDArray cachedLayers(NDArray h, NDArray cos, NDArray sin, NDArray bias, KvCache cache) {
        NDManager outer = h.getManager();
        NDArray x = h;
        for (int i = 0; i < config.text().numLayers(); i++) {
            try (NDManager layer = outer.newSubManager()) {
                x.attach(layer); // ops land on their operand's manager
                try {
                    NDArray y = decoderBlock(x, TEXT + "layers." + i + ".", i, cos, sin, bias, cache);
                    y.attach(outer);
                    x = y;
                } finally {
                    if (i == 0) {
                        h.attach(outer);
                    }
                }
            }
        }
        return x;
    }

    /** x + attn(rmsnorm(x)), then x + SwiGLU(rmsnorm(x)). */
    private NDArray decoderBlock(NDArray x, String prefix, int layer, NDArray cos, NDArray sin, NDArray bias,
            KvCache cache) {
        LlavaConfig.TextConfig t = config.text();
        NDArray h = rmsNorm(x, prefix + "input_layernorm.weight", t.rmsNormEps());
        boolean ab = t.attentionBias();
        NDArray q = rope(heads(proj(h, prefix + "self_attn.q_proj", ab), t.numHeads()), cos, sin);
        NDArray k = rope(heads(proj(h, prefix + "self_attn.k_proj", ab), t.numKvHeads()), cos, sin);
        NDArray v = heads(proj(h, prefix + "self_attn.v_proj", ab), t.numKvHeads());
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v);
            k = kv[0];
            v = kv[1];
        }
        // Grouped-query attention: query head i reads key/value head i / (heads / kvHeads), as HF's repeat_kv.
        int groups = t.numHeads() / t.numKvHeads();
        if (groups > 1) {
            k = k.repeat(1, groups);
            v = v.repeat(1, groups);
        }
        x = x.add(proj(mergeHeads(attention(q, k, v, bias)), prefix + "self_attn.o_proj", ab));
        h = rmsNorm(x, prefix + "post_attention_layernorm.weight", t.rmsNormEps());
        NDArray gate = proj(h, prefix + "mlp.gate_proj", t.mlpBias());
        NDArray up = proj(h, prefix + "mlp.up_proj", t.mlpBias());
        NDArray gated = activation(gate, t.hiddenAct()).mul(up); // act(gate) * up: SwiGLU with LLaMA's SiLU
        return x.add(proj(gated, prefix + "mlp.down_proj", t.mlpBias()));
    }

    /**
     * Runs a chain of blocks: one after the other, or, with activation checkpointing on, through
     * {@link ActivationCheckpoints} (inputs kept, blocks recomputed in the backward pass).
     */
    private NDArray runBlocks(NDArray x, List<ActivationCheckpoints.Block> blocks, String layersPrefix,
            String... inputPrefixes) {
        if (checkpoints == null) {
            ActivationCheckpoints.Rows all = ActivationCheckpoints.Rows.all(x.getShape().get(0));
            for (ActivationCheckpoints.Block block : blocks) {
                x = block.apply(x, all);
            }
            return x;
        }
        return checkpoints.run(x, blocks, trainsAnything(layersPrefix), trainsAnything(inputPrefixes));
    }

    /**
     * Runs {@code block} on a slice of the batch: LoRA dropout inside it draws the masks of these rows (see
     * {@link #dropout}).
     */
    private NDArray onRows(ActivationCheckpoints.Rows rows, java.util.function.Supplier<NDArray> block) {
        long before = rowOffset;
        rowOffset = rows.from();
        try {
            return block.get();
        } finally {
            rowOffset = before;
        }
    }

    /** Whether any weight or LoRA pair under one of {@code prefixes} is being trained (requires a gradient). */
    private boolean trainsAnything(String... prefixes) {
        for (String prefix : prefixes) {
            if (trainsAnythingUnder(prefix)) {
                return true;
            }
        }
        return false;
    }

    private boolean trainsAnythingUnder(String prefix) {
        for (Map.Entry<String, LoraWeights> e : loraEnabled ? lora.entrySet() : Map.<String, LoraWeights>of().entrySet()) {
            if (e.getKey().startsWith(prefix) && (e.getValue().a().hasGradient() || e.getValue().b().hasGradient())) {
                return true;
            }
        }
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getValue().hasGradient()) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- building blocks

    /**
     * softmax(q kᵀ / sqrt(d) + bias) v over [B, heads, T, d], in slices of at most {@link #attentionQueryChunk}
     * query rows. Each row's softmax only reads its own scores, so slicing the queries gives the same result.
     */
    private NDArray attention(NDArray q, NDArray k, NDArray v, NDArray bias) {
        long queries = q.getShape().get(2);
        if (queries <= attentionQueryChunk) {
            return denseAttention(q, k, v, bias);
        }
        NDList parts = new NDList();
        for (long from = 0; from < queries; from += attentionQueryChunk) {
            String rows = from + ":" + Math.min(queries, from + attentionQueryChunk);
            NDArray qc = q.get(":, :, " + rows + ", :");
            parts.add(denseAttention(qc, k, v, bias == null ? null : bias.get("..., " + rows + ", :")));
        }
        return NDArrays.concat(parts, 2);
    }

    /**
     * One slice of attention. The score chain's intermediates are closed as soon as the next op has read them: autograd
     * holds its own reference to what its backward pass needs (softmax's output, q, k and v), so closing a handle
     * frees only what nothing else needs; without autograd the probabilities go too. The values are unchanged.
     */
    private NDArray denseAttention(NDArray q, NDArray k, NDArray v, NDArray bias) {
        float scale = (float) (1.0 / Math.sqrt(q.getShape().get(3)));
        NDArray kt = k.transpose(0, 1, 3, 2);
        NDArray scores = q.matMul(kt);
        kt.close();
        NDArray scaled = scores.mul(scalar(scores, scale));
        scores.close();
        if (bias != null) {
            NDArray masked = scaled.add(bias);
            scaled.close();
            scaled = masked;
        }
        NDArray probs = scaled.softmax(-1);
        scaled.close();
        NDArray out = probs.matMul(v);
        probs.close();
        return out;
    }

    /** Bias [T, S] letting new position i (absolute S - T + i) see keys 0..S - T + i. */
    private static NDArray causalBias(NDManager m, long newTokens, long total) {
        int t = (int) newTokens;
        int s = (int) total;
        float[] bias = new float[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = s - t + i + 1; j < s; j++) {
                bias[i * s + j] = MASKED;
            }
        }
        return OwnedArrays.of(m, bias, new Shape(t, s));
    }

    /** Rotary embedding, HF LLaMA convention: x * cos + rotate_half(x) * sin, halves not interleaved. */
    private static NDArray rope(NDArray x, NDArray cos, NDArray sin) {
        long d = x.getShape().get(3);
        long half = d / 2;
        // Indices built directly rather than parsed from "..., half:" strings: the parse ran 4 times per layer and step.
        NDArray rotated = x.get(new NDIndex().addEllipseDim().addSliceDim(half, d)).neg()
                .concat(x.get(new NDIndex().addEllipseDim().addSliceDim(0, half)), -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    private static float[][] ropeTables(LlavaConfig.TextConfig t) {
        int d = t.headDim();
        int n = t.maxPositions();
        float[] cos = new float[n * d];
        float[] sin = new float[n * d];
        for (int pos = 0; pos < n; pos++) {
            for (int i = 0; i < d / 2; i++) {
                // Linear rope scaling divides positions (equivalently the frequencies) by its factor.
                double invFreq = 1.0 / Math.pow(t.ropeTheta(), (2.0 * i) / d) / t.ropeLinearFactor();
                double angle = pos * invFreq;
                cos[pos * d + i] = cos[pos * d + i + d / 2] = (float) Math.cos(angle);
                sin[pos * d + i] = sin[pos * d + i + d / 2] = (float) Math.sin(angle);
            }
        }
        return new float[][] {cos, sin};
    }

    /** [B, T, heads * d] → [B, heads, T, d]. */
    private static NDArray heads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** [B, heads, T, d] → [B, T, heads * d]. */
    private static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    private NDArray rmsNorm(NDArray x, String weight, double eps) {
        NDArray meanSquare = x.mul(x).mean(new int[] {-1}, true);
        NDArray rms = meanSquare.add(scalar(meanSquare, (float) eps)).pow(scalar(meanSquare, -0.5f));
        return x.mul(rms).mul(w(weight, x));
    }

    private NDArray layerNorm(NDArray x, String prefix, double eps) {
        return ex(x).layerNorm(x, new Shape(x.getShape().getLastDimension()), w(prefix + ".weight", x), w(prefix + ".bias", x),
                (float) eps).singletonOrThrow();
    }

    private NDArray activation(NDArray x, String name) {
        return switch (name) {
            case "gelu" -> Activation.gelu(x);
            case "quick_gelu" -> x.mul(Activation.sigmoid(x.mul(scalar(x, 1.702f))));
            case "silu" -> x.mul(Activation.sigmoid(x));
            default -> throw new IllegalArgumentException("unsupported activation " + name);
        };
    }

    /** A linear layer by HF name (weight [out, in]), plus its LoRA pair when one is attached. */
    private NDArray proj(NDArray x, String name, boolean hasBias) {
        NDArray y = linear(x, w(name + ".weight", x), hasBias ? w(name + ".bias", x) : null);
        LoraWeights l = loraEnabled ? lora.get(name) : null;
        if (l != null) {
            NDArray in = training && l.dropout() > 0 ? dropout(x, name, l.dropout()) : x;
            NDArray delta = linear(linear(in, l.a(), null), l.b(), null);
            y = y.add(delta.mul(scalar(delta, l.scale())));
        }
        return y;
    }

    /**
     * LoRA dropout with a mask that depends only on the dropout seed, the layer and the sequences, never on what ran
     * before: an activation-checkpointed block recomputed in the backward pass draws the mask its forward pass drew,
     * and replicas on other threads cannot shift each other's draws. The mask is drawn per group of
     * {@link #dropoutRowsPerDraw} sequences (group g of the micro-batch from its own seed), so a block run on a slice of
     * the batch (a multiple of the group, see {@link ActivationCheckpoints}) draws exactly the rows the whole batch
     * would; a batch of one group draws as before slicing existed.
     */
    private NDArray dropout(NDArray x, String layer, float rate) {
        long rows = x.getShape().get(0);
        if (rowOffset % dropoutRowsPerDraw != 0) {
            throw new IllegalStateException("a slice starting at sequence " + rowOffset + " splits a dropout group of "
                    + dropoutRowsPerDraw);
        }
        synchronized (DROPOUT_SEEDING) {
            if (rowOffset == 0 && rows <= dropoutRowsPerDraw) {
                return dropoutGroup(x, layer, 0, rate);
            }
            NDList parts = new NDList();
            NDList groups = new NDList();
            for (long from = 0; from < rows; from += dropoutRowsPerDraw) {
                NDArray part = x.get(from + ":" + Math.min(rows, from + dropoutRowsPerDraw));
                parts.add(part);
                groups.add(dropoutGroup(part, layer, (rowOffset + from) / dropoutRowsPerDraw, rate));
            }
            NDArray joined = NDArrays.concat(groups, 0);
            // Autograd keeps the masks it needs on its own; the groups' outputs would only double the memory.
            groups.close();
            parts.close();
            return joined;
        }
    }

    /**
     * Seeds libtorch's process-wide generator under the dropout lock, so that a training on another thread (the
     * quickstart runs independent trainings at once) never reseeds it between a dropout's own seeding and its draw.
     */
    public static void seedGenerator(int seed) {
        synchronized (DROPOUT_SEEDING) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
        }
    }

    /** One group's dropout; the caller holds {@link #DROPOUT_SEEDING}. */
    private NDArray dropoutGroup(NDArray x, String layer, long group, float rate) {
        long seed = mix(dropoutSeed, layer.hashCode());
        JniUtils.setSeed(group == 0 ? seed : mix(seed, group));
        return ex(x).dropout(x, rate, true).singletonOrThrow();
    }

    /** SplitMix64 finaliser over seed and key: nearby inputs give unrelated seeds. */
    private static long mix(long seed, long key) {
        long z = seed + 0x9E3779B97F4A7C15L * (key + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return ex(x).linear(x, weight, bias).singletonOrThrow();
    }

    /**
     * A constant for arithmetic on an activation. Never {@code x.mul(0.5f)}: DJL would hand autograd a scalar in Java
     * memory that is freed before the backward pass reads it (see {@link OwnedArrays}). Each value is made once per
     * model, on its manager like a weight, rather than once per use: making one took three libtorch calls and a direct
     * buffer, some 14 times per decoder step of generation. The op sees the same 0-dim float32 tensor of the same value
     * either way, so results keep every bit; libtorch reference-counts the tensor, so autograd may keep it across steps.
     */
    private NDArray scalar(NDArray like, float value) {
        if (!shareConstants) {
            return OwnedArrays.scalar(like, value);
        }
        return constants.computeIfAbsent(Float.floatToRawIntBits(value),
                bits -> OwnedArrays.of(manager, new float[] {value}, new Shape()));
    }

    /** Tests only: {@code false} makes every use build its own constant again, as before they were shared. */
    void setShareConstants(boolean share) {
        this.shareConstants = share;
    }

    private static NDArrayEx ex(NDArray x) {
        return x.getNDArrayInternal();
    }

    /** Moves a result computed from a weight onto the activation's manager, so it is freed per step. */
    private static NDArray own(NDArray result, NDArray activation) {
        result.attach(activation.getManager());
        return result;
    }

    private NDArray w(String name) {
        NDArray a = weights.get(name);
        if (a == null) {
            throw new IllegalStateException("no weight " + name);
        }
        return a;
    }

    /**
     * A base weight for computing with {@code activation}: as stored when fp32 (so a trainable weight keeps its
     * gradient), else cast to fp32 on the activation's manager, freed with the step. The cast is outside autograd,
     * which is right for the frozen weights that {@link #storeAs} allows in fp16.
     */
    private NDArray w(String name, NDArray activation) {
        NDArray a = w(name);
        if (a.getDataType() == DataType.FLOAT32) {
            return a;
        }
        return own(a.toType(DataType.FLOAT32, false), activation);
    }

    // ---------------------------------------------------------------- weights, LoRA, modes

    public LlavaConfig config() {
        return config;
    }

    /** The model's own manager (weights, LoRA, rotary tables). */
    public NDManager manager() {
        return manager;
    }

    /** Base weights by HF name, in checkpoint order (unmodifiable view). */
    public Map<String, NDArray> weights() {
        return Collections.unmodifiableMap(weights);
    }

    /** Storage dtype each weight was loaded with (F32 for fresh models). */
    public DType storageType(String name) {
        return storageTypes.getOrDefault(name, DType.F32);
    }

    /** LoRA pairs by the HF name of the linear layer they adapt. */
    public Map<String, LoraWeights> lora() {
        return Collections.unmodifiableMap(lora);
    }

    public void attachLora(String linearName, LoraWeights weights) {
        if (!this.weights.containsKey(linearName + ".weight")) {
            throw new IllegalArgumentException("no linear layer " + linearName);
        }
        lora.put(linearName, weights);
    }

    /** Removes all LoRA pairs (closing them). */
    public void detachLora() {
        lora.values().forEach(l -> {
            l.a().close();
            l.b().close();
        });
        lora.clear();
    }

    /** With LoRA disabled the model computes exactly the base (= DPO reference) model. */
    public void setLoraEnabled(boolean enabled) {
        this.loraEnabled = enabled;
    }

    /** Training mode turns LoRA dropout on. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    /**
     * Activation checkpointing for the following forward passes ({@code null}: off): the vision and decoder blocks
     * record into {@code checkpoints}, whose {@link ActivationCheckpoints#backward} the caller runs after the loss's.
     */
    public void setCheckpoints(ActivationCheckpoints checkpoints) {
        if (checkpoints != null && checkpoints.sliceRows() % dropoutRowsPerDraw != 0) {
            throw new IllegalArgumentException("checkpointing slices of " + checkpoints.sliceRows()
                    + " sequences would split LoRA dropout groups of " + dropoutRowsPerDraw);
        }
        this.checkpoints = checkpoints;
    }

    /**
     * Sequences per LoRA dropout draw (default {@link RecomputeSlicing#DEFAULT_SEQUENCES}); the masks, and so the
     * training, depend on it. Checkpointing slices must be multiples of it.
     */
    public void setDropoutRowsPerDraw(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("dropout rows per draw must be at least 1, got " + rows);
        }
        this.dropoutRowsPerDraw = rows;
    }

    /** Seed of the LoRA dropout masks of the following forward passes (set per micro-batch while training). */
    public void setDropoutSeed(long seed) {
        this.dropoutSeed = seed;
    }

    /** Query rows per attention slice (see {@link #DEFAULT_ATTENTION_QUERY_CHUNK}). */
    public void setAttentionQueryChunk(int queries) {
        if (queries < 1) {
            throw new IllegalArgumentException("attention query chunk must be at least 1, got " + queries);
        }
        this.attentionQueryChunk = queries;
    }

    /**
     * A copy of this model for another data-parallel replica: every base weight in the dtype it is stored in here (so
     * fp16-stored frozen weights stay fp16 on the replica and are cast per use there too) and every LoRA pair, copied
     * onto {@code parent}'s device, owned by a sub-manager of {@code parent}; modes and settings as here.
     */
    public LlavaModel replicate(NDManager parent) {
        LlavaModel m = new LlavaModel(config, parent);
        weights.forEach((name, a) -> m.weights.put(name, copyTo(a, m.manager)));
        m.storageTypes.putAll(storageTypes);
        lora.forEach((name, l) -> m.lora.put(name,
                new LoraWeights(copyTo(l.a(), m.manager), copyTo(l.b(), m.manager), l.scale(), l.dropout())));
        m.training = training;
        m.loraEnabled = loraEnabled;
        m.attentionQueryChunk = attentionQueryChunk;
        m.dropoutRowsPerDraw = dropoutRowsPerDraw;
        return m;
    }

    private static NDArray copyTo(NDArray a, NDManager target) {
        NDArray copy = a.getDevice().equals(target.getDevice()) ? a.duplicate() : a.toDevice(target.getDevice(), true);
        copy.attach(target);
        return copy;
    }

    /** Replaces a base weight's values in place (used by LoRA merge and checkpoint resume), in its storage dtype. */
    public void setWeight(String name, float[] values) {
        NDArray target = w(name);
        if (target.getDataType() == DataType.FLOAT32) {
            OwnedArrays.copyInto(target, values);
            return;
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDArray source = OwnedArrays.of(scratch, values, target.getShape());
            target.set(new NDIndex("..."), source.toType(target.getDataType(), false));
        }
    }

    /**
     * The dtype a KV cache for this model is kept in: the storage dtype of the decoder's key projection, so a model
     * whose frozen weights are fp16 also caches in fp16.
     */
    public DataType kvCacheType() {
        return deviceType(TEXT + "layers.0.self_attn.k_proj.weight");
    }

    /** The dtype a base weight has on the device now: FLOAT32, or FLOAT16 for a frozen weight stored in half. */
    public DataType deviceType(String name) {
        return w(name).getDataType();
    }

    /**
     * Stores a base weight on the device as {@code type} (FLOAT32 or FLOAT16), converted inside libtorch. The caller
     * guarantees that a weight stored in FLOAT16 is frozen (see the class comment). A no-op when already so stored.
     */
    public void storeAs(String name, DataType type) {
        if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights are stored in float32 or float16, not " + type);
        }
        NDArray old = w(name);
        if (old.getDataType() == type) {
            return;
        }
        NDArray converted = old.toType(type, false);
        converted.attach(manager);
        weights.put(name, converted);
        old.close();
    }

    /**
     * A model without base weights, for a loader that streams them in one at a time with {@link #putWeight} and then
     * calls {@link #finishLoading}.
     */
    public static LlavaModel withoutWeights(LlavaConfig config, NDManager parent) {
        return new LlavaModel(config, parent);
    }

    /** The shape the config expects for a base weight by HF name, or null if the model has no such weight. */
    public long[] expectedShape(String name) {
        return expectedShapes().get(name);
    }

    /**
     * Takes a base weight that is already on the device in its storage dtype (moved onto this model's manager).
     * {@code fileType} is its dtype in the checkpoint, kept for saving back.
     */
    public void putWeight(String name, NDArray array, DType fileType) {
        long[] expected = expectedShape(name);
        if (expected == null) {
            throw new IllegalArgumentException("the model has no weight '" + name + "'");
        }
        if (!java.util.Arrays.equals(array.getShape().getShape(), expected)) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape "
                    + java.util.Arrays.toString(array.getShape().getShape()) + ", config expects "
                    + java.util.Arrays.toString(expected));
        }
        array.attach(manager);
        NDArray old = weights.put(name, array);
        if (old != null) {
            old.close();
        }
        storageTypes.put(name, fileType);
    }

    /** Ends streamed loading: a tied LM head copies the embedding table, and every expected weight must be there. */
    public void finishLoading() {
        if (!weights.containsKey(LM_HEAD) && config.text().tieWordEmbeddings()
                && weights.containsKey(TEXT + "embed_tokens.weight")) {
            putWeight(LM_HEAD, w(TEXT + "embed_tokens.weight").duplicate(), storageType(TEXT + "embed_tokens.weight"));
        }
        for (String name : expectedShapes().keySet()) {
            if (!weights.containsKey(name)) {
                throw new IllegalArgumentException("checkpoint has no tensor '" + name + "'");
            }
        }
        // Checkpoint order may differ from the model's; keep the model's, as fromTensors does.
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (String name : expectedShapes().keySet()) {
            ordered.put(name, weights.get(name));
        }
        weights.clear();
        weights.putAll(ordered);
    }

    private Map<String, long[]> expectedShapes() {
        if (expectedShapes == null) {
            expectedShapes = WeightNames.expectedShapes(config);
        }
        return expectedShapes;
    }

    public long parameterCount() {
        long n = 0;
        for (NDArray a : weights.values()) {
            n += a.size();
        }
        return n;
    }

    /** Host copies of the base weights, for saving. */
    public Map<String, Tensor> toTensors(DType dtype) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray a = e.getValue();
            float[] values;
            if (a.getDataType() == DataType.FLOAT32) {
                values = a.toFloatArray();
            } else {
                try (NDArray f32 = a.toType(DataType.FLOAT32, false)) {
                    values = f32.toFloatArray();
                }
            }
            out.put(e.getKey(), new Tensor(values, a.getShape().getShape(),
                    dtype == null ? storageType(e.getKey()) : dtype));
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
