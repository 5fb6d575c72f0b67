package dev.mmalign.trainer.engine;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.mmalign.trainer.engine.data.ImageProcessor;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.model.UnsupportedCheckpointException;
import dev.mmalign.trainer.engine.model.WeightNames;
import dev.mmalign.trainer.engine.safetensors.DType;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsReader;
import dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import dev.mmalign.trainer.engine.tokenizer.HfTokenizer;
import dev.mmalign.trainer.engine.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loads and saves models in Hugging Face layout: {@code config.json}, {@code model.safetensors} (or shards +
 * {@code model.safetensors.index.json}) with llava-hf tensor names, and {@code tokenizer.json}. A directory
 * without tokenizer.json uses the built-in byte tokenizer, which requires vocab_size 260.
 */
public final class ModelLoader {
    /** Shards above this size are split, like transformers' default max_shard_size of 5 GB. */
    public static final long DEFAULT_SHARD_BYTES = 5L * 1000 * 1000 * 1000;

    private ModelLoader() {}

    /** Loads every weight in fp32 (see {@link #load(Path, Predicate)}). */
    public static VisionLanguageModel load(Path modelDir) throws IOException {
        return load(modelDir, name -> false);
    }

    /**
     * Loads a model, streaming each tensor from the safetensors files (read in bounded chunks) to the device one at a
     * time, converted there to its storage dtype: fp16 for the weights {@code storeInHalf} selects (only frozen
     * weights may be, see {@link LlavaModel}), fp32 for the rest. The Java heap never holds tensor data, so a
     * checkpoint of any size loads with a flat heap.
     *
     * <p>The checkpoint must hold exactly the model's tensors: one the engine does not know (a bias its config does
     * not declare, a layer of another architecture) would otherwise be dropped and the model would compute something
     * else than the checkpoint's authors trained; one that is missing is an error too. Only buffers that transformers
     * recomputes itself ({@link #IGNORABLE}) are skipped. Both are {@link UnsupportedCheckpointException}s naming the
     * tensor and the file.
     */
    public static VisionLanguageModel load(Path modelDir, Predicate<String> storeInHalf) throws IOException {
        LlavaConfig config = LlavaConfig.read(modelDir.resolve("config.json"));
        ImageProcessor images = ImageProcessor.forModel(modelDir, config.vision().imageSize());
        TextTokenizer tokenizer = tokenizer(modelDir, config);
        NDManager manager = NDManager.newBaseManager();
        LlavaModel model = LlavaModel.withoutWeights(config, manager);
        Set<String> loaded = new HashSet<>();
        try {
            ShardedCheckpoint.forEach(modelDir, (fileName, file) -> {
                String name = WeightNames.normalize(fileName);
                long[] expected = model.expectedShape(name);
                if (expected == null) {
                    if (isIgnorable(name)) {
                        return;
                    }
                    throw new UnsupportedCheckpointException(file.path(), "tensor '" + fileName + "'",
                            "the model this config describes has no such weight (an architecture or option the"
                            + " engine does not implement?)");
                }
                SafeTensorsReader.Entry entry = file.entries().get(fileName);
                if (!Arrays.equals(entry.shape(), expected)) {
                    throw new UnsupportedCheckpointException(file.path(), "tensor '" + fileName + "'", "shape "
                            + Arrays.toString(entry.shape()) + ", config.json expects " + Arrays.toString(expected));
                }
                DataType type = storeInHalf.test(name) ? DataType.FLOAT16 : DataType.FLOAT32;
                model.putWeight(name, file.load(fileName, model.manager(), type), entry.dtype());
                loaded.add(name);
            });
            for (String name : WeightNames.expectedShapes(config).keySet()) {
                boolean tiedHead = name.equals(LlavaModel.LM_HEAD) && config.text().tieWordEmbeddings();
                if (!loaded.contains(name) && !tiedHead) {
                    throw new UnsupportedCheckpointException(weightsFile(modelDir), "tensor '" + name + "'",
                            "missing: config.json describes a model with this weight");
                }
            }
            model.finishLoading();
            return new VisionLanguageModel(model, tokenizer, images, manager);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Tensors a checkpoint may carry that are not weights: rotary {@code inv_freq} buffers (older transformers saved
     * them; the engine computes its own tables) and CLIP's {@code position_ids} index buffer.
     */
    static final List<String> IGNORABLE = List.of(".rotary_emb.inv_freq", "embeddings.position_ids");

    static boolean isIgnorable(String name) {
        return IGNORABLE.stream().anyMatch(name::endsWith);
    }

    private static Path weightsFile(Path modelDir) {
        Path index = modelDir.resolve(ShardedCheckpoint.INDEX);
        return Files.exists(index) ? index : modelDir.resolve(ShardedCheckpoint.SINGLE);
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

    /**
     * The files of a model folder besides config and weights that transformers' AutoTokenizer, AutoProcessor and
     * generate() read: an exported model carries its base's, so that it loads in transformers as a whole.
     */
    public static final List<String> PROCESSOR_FILES = List.of("tokenizer.json", "tokenizer.model",
            "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "preprocessor_config.json",
            "processor_config.json", "chat_template.json", "chat_template.jinja", "generation_config.json");

    /**
     * Copies the {@link #PROCESSOR_FILES} that {@code from} has into {@code to}. Only regular files are copied, never
     * what a symbolic link points to: a base folder on a shared claim must not make the export carry another file.
     */
    public static void copyProcessorFiles(Path from, Path to) throws IOException {
        for (String name : PROCESSOR_FILES) {
            Path file = from.resolve(name);
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.copy(file, to.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
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
}
