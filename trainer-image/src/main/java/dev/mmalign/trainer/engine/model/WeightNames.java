package dev.mmalign.trainer.engine.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** Every weight of the model under its llava-hf name, with its shape, derived from the config. */
public final class WeightNames {
    private WeightNames() {}

    /**
     * transformers ≥ 4.52 saves LLaVA as {@code model.language_model.*}, {@code model.vision_tower.*},
     * {@code model.multi_modal_projector.*} and {@code lm_head.weight}; map those onto the classic names.
     */
    public static String normalize(String n) {
        if (n.startsWith("model.language_model.")) {
            return "language_model.model." + n.substring("model.language_model.".length());
        } else if (n.startsWith("model.vision_tower.")) {
            return n.substring("model.".length());
        } else if (n.startsWith("model.multi_modal_projector.")) {
            return n.substring("model.".length());
        } else if (n.equals("lm_head.weight")) {
            return LlavaModel.LM_HEAD;
        }
        return n;
    }

    public static Map<String, long[]> expectedShapes(LlavaConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        LlavaConfig.VisionConfig v = c.vision();
        LlavaConfig.TextConfig t = c.text();
        String vp = LlavaModel.VISION;
        int dv = v.hiddenSize();
        m.put(vp + "embeddings.class_embedding", new long[] {dv});
        m.put(vp + "embeddings.patch_embedding.weight", new long[] {dv, 3, v.patchSize(), v.patchSize()});
        m.put(vp + "embeddings.position_embedding.weight", new long[] {v.numPatches() + 1, dv});
        m.put(vp + "pre_layrnorm.weight", new long[] {dv});
        m.put(vp + "pre_layrnorm.bias", new long[] {dv});
        for (int i = 0; i < v.numLayers(); i++) {
            String p = vp + "encoder.layers." + i + ".";
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                m.put(p + "self_attn." + proj + ".weight", new long[] {dv, dv});
                m.put(p + "self_attn." + proj + ".bias", new long[] {dv});
            }
            m.put(p + "layer_norm1.weight", new long[] {dv});
            m.put(p + "layer_norm1.bias", new long[] {dv});
            m.put(p + "mlp.fc1.weight", new long[] {v.intermediateSize(), dv});
            m.put(p + "mlp.fc1.bias", new long[] {v.intermediateSize()});
            m.put(p + "mlp.fc2.weight", new long[] {dv, v.intermediateSize()});
            m.put(p + "mlp.fc2.bias", new long[] {dv});
            m.put(p + "layer_norm2.weight", new long[] {dv});
            m.put(p + "layer_norm2.bias", new long[] {dv});
        }
        m.put(vp + "post_layernorm.weight", new long[] {dv});
        m.put(vp + "post_layernorm.bias", new long[] {dv});
        int d = t.hiddenSize();
        m.put(LlavaModel.PROJECTOR + "linear_1.weight", new long[] {d, dv});
        m.put(LlavaModel.PROJECTOR + "linear_1.bias", new long[] {d});
        m.put(LlavaModel.PROJECTOR + "linear_2.weight", new long[] {d, d});
        m.put(LlavaModel.PROJECTOR + "linear_2.bias", new long[] {d});
        String tp = LlavaModel.TEXT;
        long kv = (long) t.numKvHeads() * t.headDim();
        m.put(tp + "embed_tokens.weight", new long[] {t.vocabSize(), d});
        for (int i = 0; i < t.numLayers(); i++) {
            String p = tp + "layers." + i + ".";
            linear(m, p + "self_attn.q_proj", d, d, t.attentionBias());
            linear(m, p + "self_attn.k_proj", kv, d, t.attentionBias());
            linear(m, p + "self_attn.v_proj", kv, d, t.attentionBias());
            linear(m, p + "self_attn.o_proj", d, d, t.attentionBias());
            linear(m, p + "mlp.gate_proj", t.intermediateSize(), d, t.mlpBias());
            linear(m, p + "mlp.up_proj", t.intermediateSize(), d, t.mlpBias());
            linear(m, p + "mlp.down_proj", d, t.intermediateSize(), t.mlpBias());
            m.put(p + "input_layernorm.weight", new long[] {d});
            m.put(p + "post_attention_layernorm.weight", new long[] {d});
        }
        m.put(tp + "norm.weight", new long[] {d});
        m.put(LlavaModel.LM_HEAD, new long[] {t.vocabSize(), d});
        return m;
    }

    private static void linear(Map<String, long[]> m, String name, long out, long in, boolean bias) {
        m.put(name + ".weight", new long[] {out, in});
        if (bias) {
            m.put(name + ".bias", new long[] {out});
        }
    }
}
