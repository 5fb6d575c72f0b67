package dev.mmalign.trainer.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The model's shape, read from and written to a Hugging Face {@code config.json} of
 * {@code LlavaForConditionalGeneration} ({@code text_config} = LLaMA, {@code vision_config} = CLIP vision).
 * Missing fields take the Hugging Face defaults of those classes.
 */
public record LlavaConfig(VisionConfig vision, TextConfig text, int imageTokenIndex, String projectorHiddenAct,
        int visionFeatureLayer, int padTokenId, int bosTokenId, int eosTokenId) {

    /** CLIP vision tower. */
    public record VisionConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads, int imageSize,
            int patchSize, double layerNormEps, String hiddenAct) {
        public int numPatches() {
            return (imageSize / patchSize) * (imageSize / patchSize);
        }
    }

    /** LLaMA decoder. */
    public record TextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
            int numKvHeads, double rmsNormEps, double ropeTheta, int maxPositions, boolean tieWordEmbeddings) {
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
                v.path("layer_norm_eps").asDouble(1e-5), v.path("hidden_act").asText("quick_gelu"));
        int heads = t.path("num_attention_heads").asInt(32);
        TextConfig text = new TextConfig(
                t.path("vocab_size").asInt(root.path("vocab_size").asInt(32000)),
                t.path("hidden_size").asInt(4096), t.path("intermediate_size").asInt(11008),
                t.path("num_hidden_layers").asInt(32), heads, t.path("num_key_value_heads").asInt(heads),
                t.path("rms_norm_eps").asDouble(1e-6), t.path("rope_theta").asDouble(10000.0),
                t.path("max_position_embeddings").asInt(4096), t.path("tie_word_embeddings").asBoolean(false));
        return new LlavaConfig(vision, text,
                root.path("image_token_index").asInt(root.path("image_token_id").asInt(32000)),
                root.path("projector_hidden_act").asText("gelu"),
                root.path("vision_feature_layer").asInt(-2),
                root.path("pad_token_id").asInt(t.path("pad_token_id").asInt(0)),
                t.path("bos_token_id").asInt(root.path("bos_token_id").asInt(1)),
                t.path("eos_token_id").asInt(root.path("eos_token_id").asInt(2)));
    }

    public void write(Path configJson) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("LlavaForConditionalGeneration");
        root.put("model_type", "llava");
        root.put("image_token_index", imageTokenIndex);
        root.put("projector_hidden_act", projectorHiddenAct);
        root.put("vision_feature_layer", visionFeatureLayer);
        root.put("vision_feature_select_strategy", "default");
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
        t.put("hidden_act", "silu");
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
