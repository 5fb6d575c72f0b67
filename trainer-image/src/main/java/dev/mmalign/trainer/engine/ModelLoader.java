package dev.mmalign.trainer.engine;

import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.safetensors.DType;
import dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import dev.mmalign.trainer.engine.tokenizer.HfTokenizer;
import dev.mmalign.trainer.engine.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads and saves models in Hugging Face layout: {@code config.json}, {@code model.safetensors} (or shards +
 * {@code model.safetensors.index.json}) with llava-hf tensor names, and {@code tokenizer.json}. A directory
 * without tokenizer.json uses the built-in byte tokenizer, which requires vocab_size 260.
 */
public final class ModelLoader {
    /** Shards above this size are split, like transformers' default max_shard_size of 5 GB. */
    public static final long DEFAULT_SHARD_BYTES = 5L * 1000 * 1000 * 1000;

    private ModelLoader() {}

    public static VisionLanguageModel load(Path modelDir) throws IOException {
        LlavaConfig config = LlavaConfig.read(modelDir.resolve("config.json"));
        Map<String, Tensor> tensors = normalizeNames(ShardedCheckpoint.read(modelDir));
        TextTokenizer tokenizer = tokenizer(modelDir, config);
        NDManager manager = NDManager.newBaseManager();
        try {
            return new VisionLanguageModel(LlavaModel.fromTensors(config, manager, tensors), tokenizer, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A freshly initialised preset model ("tiny", "quickstart" or "small") with the byte tokenizer. */
    public static VisionLanguageModel create(String preset, long seed) {
        NDManager manager = NDManager.newBaseManager();
        LlavaModel model = LlavaModel.initialize(LlavaConfig.preset(preset), manager, seed);
        return new VisionLanguageModel(model, new ByteTokenizer(), manager);
    }

    /** Writes config.json and the weights (in their loaded dtype), sharded above {@code maxShardBytes}. */
    public static void save(VisionLanguageModel vlm, Path dir, long maxShardBytes) throws IOException {
        Files.createDirectories(dir);
        vlm.model().config().write(dir.resolve("config.json"));
        ShardedCheckpoint.write(dir, vlm.model().toTensors(null), maxShardBytes);
    }

    public static void save(VisionLanguageModel vlm, Path dir) throws IOException {
        save(vlm, dir, DEFAULT_SHARD_BYTES);
    }

    /** Same as {@link #save} but every weight stored as {@code dtype} (e.g. BF16 to halve the size). */
    public static void save(VisionLanguageModel vlm, Path dir, DType dtype) throws IOException {
        Files.createDirectories(dir);
        vlm.model().config().write(dir.resolve("config.json"));
        ShardedCheckpoint.write(dir, vlm.model().toTensors(dtype), DEFAULT_SHARD_BYTES);
    }

    static TextTokenizer tokenizer(Path modelDir, LlavaConfig config) throws IOException {
        Path json = modelDir.resolve("tokenizer.json");
        if (Files.exists(json)) {
            return new HfTokenizer(json, config.bosTokenId(), config.eosTokenId(), config.padTokenId(),
                    config.imageTokenIndex(), config.text().vocabSize());
        }
        if (config.text().vocabSize() != ByteTokenizer.VOCAB || config.imageTokenIndex() != ByteTokenizer.IMAGE) {
            throw new IOException(modelDir + ": no tokenizer.json, and the config does not match the built-in"
                    + " byte tokenizer (vocab_size " + ByteTokenizer.VOCAB + ", image_token_index "
                    + ByteTokenizer.IMAGE + ")");
        }
        return new ByteTokenizer();
    }

    /**
     * transformers ≥ 4.52 saves LLaVA as {@code model.language_model.*}, {@code model.vision_tower.*},
     * {@code model.multi_modal_projector.*} and {@code lm_head.weight}; map those onto the classic names.
     */
    static Map<String, Tensor> normalizeNames(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String n = e.getKey();
            if (n.startsWith("model.language_model.")) {
                n = "language_model.model." + n.substring("model.language_model.".length());
            } else if (n.startsWith("model.vision_tower.")) {
                n = n.substring("model.".length());
            } else if (n.startsWith("model.multi_modal_projector.")) {
                n = n.substring("model.".length());
            } else if (n.equals("lm_head.weight")) {
                n = LlavaModel.LM_HEAD;
            }
            out.put(n, e.getValue());
        }
        return out;
    }
}
