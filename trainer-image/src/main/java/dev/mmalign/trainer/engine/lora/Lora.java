package dev.mmalign.trainer.engine.lora;


import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.model.UnsupportedCheckpointException;
import dev.mmalign.trainer.engine.model.WeightNames;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsReader;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsWriter;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LoRA on the language model's linear layers: W x + (alpha / r) · B A dropout(x) (alpha / sqrt(r) with rsLoRA), A [r, in] initialised as
 * PEFT does (Kaiming-uniform, bound 1/sqrt(in)), B [out, r] zero, so training starts at the base model.
 * Saved in PEFT layout: {@code adapter_config.json} + {@code adapter_model.safetensors} with keys
 * {@code base_model.model.<module>.lora_A.weight}; a trainable projector goes in {@code modules_to_save}.
 */
public final class Lora {
    public static final String ADAPTER_CONFIG = "adapter_config.json";
    public static final String ADAPTER_WEIGHTS = "adapter_model.safetensors";
    private static final String PEFT_PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> MODULES = Map.of(
            "q", "self_attn.q_proj", "k", "self_attn.k_proj", "v", "self_attn.v_proj", "o", "self_attn.o_proj",
            "gate", "mlp.gate_proj", "up", "mlp.up_proj", "down", "mlp.down_proj");

    private Lora() {}

    /**
     * Attaches fresh LoRA pairs to the targeted layers and returns the arrays to train (LoRA A/B, plus the
     * projector weights when {@code trainProjector}); everything else stays frozen.
     */
    public static Map<String, NDArray> attach(LlavaModel model, LoraConfig cfg, long seed) {
        Random rnd = new Random(seed);
        NDManager m = model.manager();
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        float scale = (float) cfg.scale();
        for (String linear : targetLinears(model, cfg.targetModules())) {
            long[] shape = model.weights().get(linear + ".weight").getShape().getShape();
            long out = shape[0];
            long in = shape[1];
            float[] a = new float[(int) (cfg.rank() * in)];
            double bound = 1.0 / Math.sqrt(in);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
            }
            NDArray arrA = OwnedArrays.of(m, a, new Shape(cfg.rank(), in));
            NDArray arrB = m.zeros(new Shape(out, cfg.rank()));
            model.attachLora(linear, new LlavaModel.LoraWeights(arrA, arrB, scale, (float) cfg.dropout()));
            trainable.put(linear + ".lora_A.weight", arrA);
            trainable.put(linear + ".lora_B.weight", arrB);
        }
        if (cfg.trainProjector()) {
            model.weights().forEach((name, arr) -> {
                if (name.startsWith(LlavaModel.PROJECTOR)) {
                    trainable.put(name, arr);
                }
            });
        }
        return trainable;
    }

    /**
     * The arrays of {@code model} that the names of an {@link #attach} result (or of a full fine-tuning's weight map)
     * denote: {@code <linear>.lora_A.weight} / {@code .lora_B.weight} for LoRA pairs, base weight names otherwise.
     * Used to find a data-parallel replica's copies of the trained arrays.
     */
    public static Map<String, NDArray> trainableOf(LlavaModel model, Iterable<String> names) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : names) {
            NDArray a;
            if (name.endsWith(".lora_A.weight") || name.endsWith(".lora_B.weight")) {
                LlavaModel.LoraWeights l = model.lora().get(name.substring(0, name.length() - ".lora_A.weight".length()));
                a = l == null ? null : name.endsWith(".lora_A.weight") ? l.a() : l.b();
            } else {
                a = model.weights().get(name);
            }
            if (a == null) {
                throw new IllegalArgumentException("model has no trained array " + name);
            }
            out.put(name, a);
        }
        return out;
    }

    /** HF names of the decoder linears a target list selects (accepts "q" or "q_proj"). */
    static List<String> targetLinears(LlavaModel model, List<String> targets) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < model.config().text().numLayers(); i++) {
            for (String t : targets) {
                String key = t.endsWith("_proj") ? t.substring(0, t.length() - "_proj".length()) : t;
                String module = MODULES.get(key);
                if (module == null) {
                    throw new IllegalArgumentException("unknown LoRA target module " + t
                            + " (q, k, v, o, gate, up, down)");
                }
                out.add(LlavaModel.TEXT + "layers." + i + "." + module);
            }
        }
        return out;
    }

    /** Writes the adapter in PEFT layout. */
    public static void save(LlavaModel model, LoraConfig cfg, Path dir, String baseModelPath) throws IOException {
        Files.createDirectories(dir);
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", "CAUSAL_LM");
        c.put("r", cfg.rank());
        c.put("lora_alpha", cfg.alpha());
        c.put("lora_dropout", cfg.dropout());
        c.put("use_rslora", cfg.rsLora());
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("base_model_name_or_path", baseModelPath == null ? "" : baseModelPath);
        // A regex, so PEFT adapts only the language model and not the CLIP tower's q/k/v_proj of the same name.
        List<String> names = new ArrayList<>();
        for (String t : cfg.targetModules()) {
            String key = t.endsWith("_proj") ? t.substring(0, t.length() - 5) : t;
            names.add(MODULES.get(key).substring(MODULES.get(key).indexOf('.') + 1));
        }
        c.put("target_modules", ".*language_model.*\\.(" + String.join("|", names) + ")");
        ArrayNode save = c.putArray("modules_to_save");
        if (cfg.trainProjector()) {
            save.add("multi_modal_projector");
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(ADAPTER_CONFIG).toFile(), c);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.lora().forEach((linear, l) -> {
            tensors.put(PEFT_PREFIX + linear + ".lora_A.weight", host(l.a()));
            tensors.put(PEFT_PREFIX + linear + ".lora_B.weight", host(l.b()));
        });
        if (cfg.trainProjector()) {
            model.weights().forEach((name, arr) -> {
                if (name.startsWith(LlavaModel.PROJECTOR)) {
                    tensors.put(PEFT_PREFIX + name, host(arr));
                }
            });
        }
        SafeTensorsWriter.write(dir.resolve(ADAPTER_WEIGHTS), tensors, Map.of("format", "pt"));
    }

    /**
     * Reads a PEFT adapter written by {@link #save} (or PEFT itself) and attaches it to the model. Plain LoRA and
     * rsLoRA (scale alpha / sqrt(r)) are computed as PEFT does; every other option that changes what the adapter
     * computes (DoRA, per-layer rank or alpha patterns, trained biases, another PEFT type) and every tensor this method
     * does not understand is refused with {@link UnsupportedCheckpointException} naming the field or tensor and the
     * file, instead of being dropped, which would load a different model than the one trained. Absent fields take
     * PEFT's defaults (r 8, lora_alpha 8, lora_dropout 0).
     */
    public static LoraConfig load(LlavaModel model, Path dir) throws IOException {
        Path configFile = dir.resolve(ADAPTER_CONFIG);
        JsonNode c = JSON.readTree(configFile.toFile());
        refuseUnsupported(configFile, c);
        boolean trainProjector = false;
        for (JsonNode n : c.path("modules_to_save")) {
            trainProjector |= n.asText().equals("multi_modal_projector");
            if (!n.asText().equals("multi_modal_projector")) {
                throw new UnsupportedCheckpointException(configFile, "modules_to_save", "'" + n.asText()
                        + "' is not supported (only multi_modal_projector)");
            }
        }
        LoraConfig.Builder read = LoraConfig.builder().rank(c.path("r").asInt(8))
                .alpha(c.path("lora_alpha").asDouble(8)).dropout(c.path("lora_dropout").asDouble(0))
                .trainProjector(trainProjector).rsLora(c.path("use_rslora").asBoolean(false));
        LoraConfig cfg = read.build();
        if (cfg.rank() < 1) {
            throw new UnsupportedCheckpointException(configFile, "r", "must be at least 1, got " + c.path("r"));
        }
        float scale = (float) cfg.scale();
        NDManager m = model.manager();
        List<String> targets = new ArrayList<>();
        Path weightsFile = dir.resolve(ADAPTER_WEIGHTS);
        try (SafeTensorsReader r = SafeTensorsReader.open(weightsFile)) {
            for (String key : r.entries().keySet()) {
                // Adapters trained on transformers >= 4.52 name layers model.language_model.*: the same layers.
                String name = key.startsWith(PEFT_PREFIX) ? WeightNames.normalize(key.substring(PEFT_PREFIX.length()))
                        : null;
                if (name != null && name.endsWith(".lora_A.weight")) {
                    String linear = name.substring(0, name.length() - ".lora_A.weight".length());
                    String keyB = key.substring(0, key.length() - ".lora_A.weight".length()) + ".lora_B.weight";
                    if (!model.weights().containsKey(linear + ".weight") || !r.entries().containsKey(keyB)) {
                        throw new UnsupportedCheckpointException(weightsFile, "tensor '" + key + "'",
                                model.weights().containsKey(linear + ".weight") ? "has no " + keyB
                                        : "adapts a layer the model does not have");
                    }
                    Tensor a = r.read(key);
                    Tensor b = r.read(keyB);
                    model.attachLora(linear, new LlavaModel.LoraWeights(OwnedArrays.of(m, a.data(), new Shape(a.shape())),
                            OwnedArrays.of(m, b.data(), new Shape(b.shape())), scale, (float) cfg.dropout()));
                    String module = linear.substring(linear.lastIndexOf('.') + 1).replace("_proj", "");
                    if (!targets.contains(module)) {
                        targets.add(module);
                    }
                } else if (name != null && name.endsWith(".lora_B.weight")) {
                    continue; // read with its lora_A
                } else if (name != null && trainProjector && name.startsWith(LlavaModel.PROJECTOR)
                        && model.weights().containsKey(name)) {
                    model.setWeight(name, r.read(key).data());
                } else {
                    throw new UnsupportedCheckpointException(weightsFile, "tensor '" + key + "'",
                            "not a LoRA pair or a saved projector weight the engine can load");
                }
            }
        }
        return read.targetModules(targets).build();
    }

    /** PEFT options that change what an adapter computes and that the engine does not implement. */
    private static void refuseUnsupported(Path file, JsonNode c) {
        String type = c.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            throw new UnsupportedCheckpointException(file, "peft_type", "'" + type + "' is not supported (LORA)");
        }
        if (c.path("use_dora").asBoolean(false)) {
            throw new UnsupportedCheckpointException(file, "use_dora", "DoRA adapters are not supported");
        }
        for (String pattern : List.of("rank_pattern", "alpha_pattern")) {
            JsonNode p = c.path(pattern);
            if (!p.isMissingNode() && !p.isNull() && !p.isEmpty()) {
                throw new UnsupportedCheckpointException(file, pattern,
                        "per-layer ranks or alphas are not supported, got " + p);
            }
        }
        String bias = c.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new UnsupportedCheckpointException(file, "bias", "'" + bias + "' is not supported (none)");
        }
        if (c.path("fan_in_fan_out").asBoolean(false)) {
            throw new UnsupportedCheckpointException(file, "fan_in_fan_out", "true is not supported (LLaMA layers"
                    + " store weights as [out, in])");
        }
    }

    /**
     * Folds every LoRA pair into its base weight (W += scale · B A) and removes the pairs. A base weight stored in
     * fp16 is turned back into fp32 first, so the sum is not rounded to fp16 (the saved dtype is the checkpoint's).
     */
    public static void merge(LlavaModel model) {
        for (Map.Entry<String, LlavaModel.LoraWeights> e : model.lora().entrySet()) {
            LlavaModel.LoraWeights l = e.getValue();
            model.storeAs(e.getKey() + ".weight", ai.djl.ndarray.types.DataType.FLOAT32);
            try (NDManager scratch = model.manager().newSubManager()) {
                NDArray b = l.b().duplicate();
                b.attach(scratch);
                NDArray delta = b.matMul(l.a()).muli(l.scale());
                model.weights().get(e.getKey() + ".weight").addi(delta);
            }
        }
        model.detachLora();
    }

    private static Tensor host(NDArray a) {
        return Tensor.f32(a.toFloatArray(), a.getShape().getShape());
    }
}
