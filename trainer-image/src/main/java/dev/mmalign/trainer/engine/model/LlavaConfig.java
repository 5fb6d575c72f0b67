package dev.mmalign.trainer.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The model's shape, read from and written to a Hugging Face {@code config.json} of
 * {@code LlavaForConditionalGeneration} ({@code text_config} = LLaMA, {@code vision_config} = CLIP vision).
 * Missing fields take the Hugging Face defaults of those classes. A field whose value the engine cannot compute as
 * transformers would (a multi-layer feature selection, dynamic/YaRN/llama3 rotary scaling, an unknown activation, a
 * head size other than hidden/heads) is refused with {@link UnsupportedCheckpointException} naming the field and the
 * file, rather than read and then silently computed differently.
 *
 * @param visionFeatureSelectStrategy {@code default}: the image features drop the CLS token (LLaVA-1.5);
 *     {@code full}: they keep it, so an image takes one more position
 */
public record LlavaConfig(VisionConfig vision, TextConfig text, int imageTokenIndex, String projectorHiddenAct,
        int visionFeatureLayer, String visionFeatureSelectStrategy, int padTokenId, int bosTokenId, int eosTokenId) {

    /** transformers' names (ACT2FN) of the activations the engine computes. */
    public static final Set<String> ACTIVATIONS = Set.of("silu", "gelu", "quick_gelu");
    public static final String SELECT_DEFAULT = "default";
    public static final String SELECT_FULL = "full";

    /** A config with the "default" feature selection (CLS token dropped), as LLaVA-1.5. */
    public LlavaConfig(VisionConfig vision, TextConfig text, int imageTokenIndex, String projectorHiddenAct,
            int visionFeatureLayer, int padTokenId, int bosTokenId, int eosTokenId) {
        this(vision, text, imageTokenIndex, projectorHiddenAct, visionFeatureLayer, SELECT_DEFAULT, padTokenId,
                bosTokenId, eosTokenId);
    }

    /** Positions one image takes in the decoder's sequence: one per patch, plus the CLS token under "full". */
    public int imageTokens() {
        return vision.numPatches() + (SELECT_FULL.equals(visionFeatureSelectStrategy) ? 1 : 0);
    }

    /** CLIP vision tower. */
    public record VisionConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int imageSize,
            int patchSize, double layerNormEps, String hiddenAct) {
        public int numPatches() {
            return (imageSize / patchSize) * (imageSize / patchSize);
        }
    }

    /**
     * LLaMA decoder.
     *
     * @param hiddenAct the MLP's gate activation ({@code silu} in LLaMA)
     * @param ropeLinearFactor linear rotary scaling ({@code rope_scaling: {rope_type: linear, factor}}): positions
     *     are divided by it; 1 without scaling
     * @param attentionBias q/k/v/o projections carry biases
     * @param mlpBias gate/up/down projections carry biases
     */
    public record TextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
            int numKvHeads, double rmsNormEps, double ropeTheta, int maxPositions, boolean tieWordEmbeddings,
            String hiddenAct, double ropeLinearFactor, boolean attentionBias, boolean mlpBias) {

        /** A plain LLaMA decoder: SiLU, no rotary scaling, no biases. */
        public TextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                int numKvHeads, double rmsNormEps, double ropeTheta, int maxPositions, boolean tieWordEmbeddings) {
            this(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, rmsNormEps, ropeTheta,
                    maxPositions, tieWordEmbeddings, "silu", 1.0, false, false);
        }

        public int headDim() {
            return hiddenSize / numHeads;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A model that trains in seconds on a CPU, for tests: byte-level vocabulary (see ByteTokenizer),
     * 16x16 images in 4 patches, grouped-query attention (4 heads, 2 key/value heads).
     */
    public static LlavaConfig tiny() {
        return new LlavaConfig(
                new VisionConfig(32, 64, 2, 2, 16, 8, 1e-5, "quick_gelu"),
                new TextConfig(260, 32, 64, 2, 4, 2, 1e-5, 10000.0, 512, false),
                3, "gelu", -2, 0, 1, 2);
    }

    /**
     * The quickstart's model, small enough to train on 2 CPU cores in minutes yet able to learn to look: 48x48 images
     * in 9 patches of 16x16 — one per cell of the synthetic world's 3x3 grid, so each object is one image token (the
     * tiny preset's 16x16 images cut objects of the grid across patches at 5 pixels a side) —, 64 wide, byte-level
     * vocabulary, grouped-query attention (4 heads, 2 key/value heads).
     */
    public static LlavaConfig quickstart() {
        return new LlavaConfig(
                new VisionConfig(64, 128, 2, 2, 48, 16, 1e-5, "quick_gelu"),
                new TextConfig(260, 64, 128, 2, 4, 2, 1e-5, 10000.0, 512, false),
                3, "gelu", -2, 0, 1, 2);
    }

    /** About 23M parameters, for benchmarks: 64x64 images in 64 patches, a 6-layer 512-wide decoder. */
    public static LlavaConfig small() {
        return new LlavaConfig(
                new VisionConfig(256, 1024, 4, 4, 64, 8, 1e-5, "quick_gelu"),
                new TextConfig(260, 512, 1408, 6, 8, 8, 1e-5, 10000.0, 1024, false),
                3, "gelu", -2, 0, 1, 2);
    }

    public static LlavaConfig preset(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "small" -> small();
            case "quickstart" -> quickstart();
            default -> throw new IllegalArgumentException("unknown preset '" + name + "' (tiny, quickstart, small)");
        };
    }

    public static LlavaConfig read(Path configJson) throws IOException {
        JsonNode root = JSON.readTree(configJson.toFile());
        JsonNode v = root.path("vision_config");
        JsonNode t = root.path("text_config");
        VisionConfig vision = new VisionConfig(
                v.path("hidden_size").asInt(768), v.path("intermediate_size").asInt(3072),
                v.path("num_hidden_layers").asInt(12), v.path("num_attention_heads").asInt(12),
                v.path("image_size").asInt(224), v.path("patch_size").asInt(32),
                v.path("layer_norm_eps").asDouble(1e-5),
                activation(configJson, "vision_config.hidden_act", v.path("hidden_act"), "quick_gelu"));
        int heads = t.path("num_attention_heads").asInt(32);
        int hidden = t.path("hidden_size").asInt(4096);
        JsonNode headDim = t.path("head_dim");
        if (!headDim.isMissingNode() && !headDim.isNull() && headDim.asInt() != hidden / heads) {
            throw new UnsupportedCheckpointException(configJson, "text_config.head_dim", headDim.asText()
                    + " differs from hidden_size / num_attention_heads = " + (hidden / heads)
                    + "; the engine splits heads evenly");
        }
        TextConfig text = new TextConfig(
                t.path("vocab_size").asInt(root.path("vocab_size").asInt(32000)),
                hidden, t.path("intermediate_size").asInt(11008),
                t.path("num_hidden_layers").asInt(32), heads, t.path("num_key_value_heads").asInt(heads),
                t.path("rms_norm_eps").asDouble(1e-6), t.path("rope_theta").asDouble(10000.0),
                t.path("max_position_embeddings").asInt(4096), t.path("tie_word_embeddings").asBoolean(false),
                activation(configJson, "text_config.hidden_act", t.path("hidden_act"), "silu"),
                ropeLinearFactor(configJson, t.path("rope_scaling")),
                bool(configJson, "text_config.attention_bias", t.path("attention_bias")),
                bool(configJson, "text_config.mlp_bias", t.path("mlp_bias")));
        return new LlavaConfig(vision, text,
                root.path("image_token_index").asInt(root.path("image_token_id").asInt(32000)),
                activation(configJson, "projector_hidden_act", root.path("projector_hidden_act"), "gelu"),
                featureLayer(configJson, root.path("vision_feature_layer"), vision.numLayers()),
                selectStrategy(configJson, root.path("vision_feature_select_strategy")),
                root.path("pad_token_id").asInt(t.path("pad_token_id").asInt(0)),
                t.path("bos_token_id").asInt(root.path("bos_token_id").asInt(1)),
                t.path("eos_token_id").asInt(root.path("eos_token_id").asInt(2)));
    }

    private static boolean absent(JsonNode n) {
        return n.isMissingNode() || n.isNull();
    }

    private static String activation(Path file, String field, JsonNode n, String fallback) {
        String name = absent(n) ? fallback : n.asText();
        if (!ACTIVATIONS.contains(name)) {
            throw new UnsupportedCheckpointException(file, field, "'" + name + "' is not supported (supported: "
                    + String.join(", ", new java.util.TreeSet<>(ACTIVATIONS)) + ")");
        }
        return name;
    }

    private static boolean bool(Path file, String field, JsonNode n) {
        if (absent(n)) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new UnsupportedCheckpointException(file, field, "must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    /**
     * transformers' {@code rope_scaling}: absent/null or type {@code default} is none; {@code linear} divides
     * positions by {@code factor} (as LlamaLinearScalingRotaryEmbedding). The others (dynamic NTK, YaRN, llama3,
     * longrope) change the frequencies in ways the engine does not reproduce, so they are refused.
     */
    private static double ropeLinearFactor(Path file, JsonNode n) {
        if (absent(n)) {
            return 1.0;
        }
        String type = n.path("rope_type").asText(n.path("type").asText(""));
        if (type.equals("default")) {
            return 1.0;
        }
        if (!type.equals("linear")) {
            throw new UnsupportedCheckpointException(file, "text_config.rope_scaling", "type '" + type
                    + "' is not supported (supported: default, linear)");
        }
        JsonNode factor = n.path("factor");
        if (!factor.isNumber() || factor.asDouble() <= 0) {
            throw new UnsupportedCheckpointException(file, "text_config.rope_scaling.factor",
                    "linear scaling needs a positive number, got " + factor);
        }
        return factor.asDouble();
    }

    /** One layer index, counted from the end when negative; a list (multi-layer features) is refused. */
    private static int featureLayer(Path file, JsonNode n, int visionLayers) {
        if (absent(n)) {
            return -2;
        }
        if (!n.isInt()) {
            throw new UnsupportedCheckpointException(file, "vision_feature_layer", n
                    + " is not supported: the engine takes the features of one layer (an integer)");
        }
        int layer = n.intValue();
        // hidden_states has layers + 1 entries (the embeddings first): valid indices are -(layers+1) .. layers.
        if (layer > visionLayers || layer < -(visionLayers + 1)) {
            throw new UnsupportedCheckpointException(file, "vision_feature_layer", layer
                    + " is outside the vision tower's " + visionLayers + " layers");
        }
        return layer;
    }

    private static String selectStrategy(Path file, JsonNode n) {
        String s = absent(n) ? SELECT_DEFAULT : n.asText();
        if (!s.equals(SELECT_DEFAULT) && !s.equals(SELECT_FULL)) {
            throw new UnsupportedCheckpointException(file, "vision_feature_select_strategy", "'" + s
                    + "' is not supported (default, full)");
        }
        return s;
    }

    public void write(Path configJson) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("LlavaForConditionalGeneration");
        root.put("model_type", "llava");
        root.put("image_token_index", imageTokenIndex);
        root.put("projector_hidden_act", projectorHiddenAct);
        root.put("vision_feature_layer", visionFeatureLayer);
        root.put("vision_feature_select_strategy", visionFeatureSelectStrategy);
        root.put("pad_token_id", padTokenId);
        root.put("torch_dtype", "float32");
        ObjectNode t = root.putObject("text_config");
        t.put("model_type", "llama");
        t.put("vocab_size", text.vocabSize());
        t.put("hidden_size", text.hiddenSize());
        t.put("intermediate_size", text.intermediateSize());
        t.put("num_hidden_layers", text.numLayers());
        t.put("num_attention_heads", text.numHeads());
        t.put("num_key_value_heads", text.numKvHeads());
        t.put("rms_norm_eps", text.rmsNormEps());
        t.put("rope_theta", text.ropeTheta());
        t.put("max_position_embeddings", text.maxPositions());
        t.put("tie_word_embeddings", text.tieWordEmbeddings());
        t.put("hidden_act", text.hiddenAct());
        if (text.ropeLinearFactor() != 1.0) {
            ObjectNode scaling = t.putObject("rope_scaling");
            scaling.put("rope_type", "linear");
            scaling.put("factor", text.ropeLinearFactor());
        }
        t.put("attention_bias", text.attentionBias());
        t.put("mlp_bias", text.mlpBias());
        t.put("bos_token_id", bosTokenId);
        t.put("eos_token_id", eosTokenId);
        ObjectNode v = root.putObject("vision_config");
        v.put("model_type", "clip_vision_model");
        v.put("hidden_size", vision.hiddenSize());
        v.put("intermediate_size", vision.intermediateSize());
        v.put("num_hidden_layers", vision.numLayers());
        v.put("num_attention_heads", vision.numHeads());
        v.put("image_size", vision.imageSize());
        v.put("patch_size", vision.patchSize());
        v.put("layer_norm_eps", vision.layerNormEps());
        v.put("hidden_act", vision.hiddenAct());
        JSON.writerWithDefaultPrettyPrinter().writeValue(configJson.toFile(), root);
    }
}
