package dev.mmalign.api.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The shape of a LLaVA model as the memory planner needs it, read from a llava-hf {@code config.json}
 * ({@code text_config} = LLaMA, {@code vision_config} = CLIP vision). Missing fields take the Hugging Face defaults of
 * those classes, as the trainer's own config reader does, so both see the same model.
 */
public record ModelShape(int visionHidden, int visionIntermediate, int visionLayers, int visionHeads, int imageSize,
        int patchSize, int visionFeatureLayer, int vocab, int hidden, int intermediate, int layers, int heads,
        int kvHeads) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Parses a config.json; {@code source} names the file in errors. */
    public static ModelShape parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": not a JSON object");
        }
        JsonNode v = root.path("vision_config");
        JsonNode t = root.path("text_config");
        int heads = t.path("num_attention_heads").asInt(32);
        ModelShape s = new ModelShape(v.path("hidden_size").asInt(768), v.path("intermediate_size").asInt(3072),
                v.path("num_hidden_layers").asInt(12), v.path("num_attention_heads").asInt(12),
                v.path("image_size").asInt(224), v.path("patch_size").asInt(32),
                root.path("vision_feature_layer").asInt(-2),
                t.path("vocab_size").asInt(root.path("vocab_size").asInt(32000)), t.path("hidden_size").asInt(4096),
                t.path("intermediate_size").asInt(11008), t.path("num_hidden_layers").asInt(32), heads,
                t.path("num_key_value_heads").asInt(heads));
        s.check(source);
        return s;
    }

    private void check(String source) {
        if (hidden % heads != 0) {
            throw new IllegalArgumentException(source + ": text_config.hidden_size " + hidden
                    + " is not a multiple of num_attention_heads " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(source + ": text_config.num_key_value_heads " + kvHeads
                    + " does not divide num_attention_heads " + heads);
        }
        if (imageSize % patchSize != 0) {
            throw new IllegalArgumentException(source + ": vision_config.image_size " + imageSize
                    + " is not a multiple of patch_size " + patchSize);
        }
        if (visionLayersRun() < 0 || visionLayersRun() > visionLayers) {
            throw new IllegalArgumentException(source + ": vision_feature_layer " + visionFeatureLayer
                    + " is outside the " + visionLayers + " vision layers");
        }
    }

    public int headDim() {
        return hidden / heads;
    }

    public int kvDim() {
        return kvHeads * headDim();
    }

    /** Image positions spliced into each sequence (the CLS token is dropped). */
    public int imageTokens() {
        return (imageSize / patchSize) * (imageSize / patchSize);
    }

    /** Vision layers actually run: LLaVA stops at {@code vision_feature_layer} (-2: all but the last). */
    public int visionLayersRun() {
        return visionFeatureLayer >= 0 ? visionFeatureLayer : visionLayers + 1 + visionFeatureLayer;
    }

    /** Parameters of one decoder layer (attention, SwiGLU MLP, two RMSNorms). */
    public long decoderLayerParams() {
        long d = hidden;
        return 2 * d * d + 2 * d * kvDim() + 3 * d * intermediate + 2 * d;
    }

    /** Language model parameters: embeddings, layers, final norm, untied LM head. */
    public long textParams() {
        return 2L * vocab * hidden + layers * decoderLayerParams() + hidden;
    }

    /** CLIP vision tower parameters (all its layers are stored, even those never run). */
    public long visionParams() {
        long d = visionHidden;
        long patches = (long) imageTokens() + 1;
        long embeddings = d * 3L * patchSize * patchSize + d + patches * d;
        long layer = 4 * (d * d + d) + 2 * d * visionIntermediate + visionIntermediate + d + 4 * d;
        return embeddings + visionLayers * layer + 4 * d; // + pre and post LayerNorm
    }

    /** The two-layer projector from the vision width to the text width. */
    public long projectorParams() {
        return (long) visionHidden * hidden + hidden + (long) hidden * hidden + hidden;
    }

    public long totalParams() {
        return textParams() + visionParams() + projectorParams();
    }
}
