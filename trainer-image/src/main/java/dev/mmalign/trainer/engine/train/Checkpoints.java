package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsReader;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsWriter;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoints under {@code <output>/checkpoints/checkpoint-<step>/}: trainer_state.json (position + RNG),
 * trainable.safetensors (trained arrays), optimizer.safetensors (AdamW moments) and, with LoRA, the PEFT
 * adapter files. Each is written into a hidden temp directory that is renamed into place only when
 * complete, so a crash mid-save never leaves a checkpoint that {@link #latest} would pick up.
 */
public final class Checkpoints {
    public static final String STATE = "trainer_state.json";
    private static final String TRAINABLE = "trainable.safetensors";
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String PREFIX = "checkpoint-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Checkpoints() {}

    public static Path dir(Path output) {
        return output.resolve("checkpoints");
    }

    static Path save(Path output, TrainingState state, Map<String, ai.djl.ndarray.NDArray> trainable,
            AdamW optimizer, LlavaModel model, LoraConfig lora, int keep) throws IOException {
        Path root = dir(output);
        Files.createDirectories(root);
        Path tmp = root.resolve("." + PREFIX + state.step() + ".tmp");
        deleteRecursively(tmp);
        Files.createDirectories(tmp);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        trainable.forEach((n, a) -> weights.put(n, Tensor.f32(a.toFloatArray(), a.getShape().getShape())));
        SafeTensorsWriter.write(tmp.resolve(TRAINABLE), weights, Map.of("format", "pt"));
        SafeTensorsWriter.write(tmp.resolve(OPTIMIZER), optimizer.state(),
                Map.of("steps", Integer.toString(optimizer.steps())));
        if (lora != null) {
            Lora.save(model, lora, tmp, null);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(STATE).toFile(), state);
        Path target = root.resolve(PREFIX + state.step());
        deleteRecursively(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        prune(root, keep);
        return target;
    }

    /** The complete checkpoint with the highest step, if any (temp directories are never candidates). */
    public static Optional<Path> latest(Path output) throws IOException {
        Path root = dir(output);
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+"))
                    .filter(p -> Files.exists(p.resolve(STATE)))
                    .max(Comparator.comparingInt(Checkpoints::stepOf));
        }
    }

    static TrainingState load(Path checkpoint, Map<String, ai.djl.ndarray.NDArray> trainable, AdamW optimizer)
            throws IOException {
        TrainingState state = JSON.readValue(checkpoint.resolve(STATE).toFile(), TrainingState.class);
        Map<String, Tensor> opt = new LinkedHashMap<>();
        try (SafeTensorsReader r = SafeTensorsReader.open(checkpoint.resolve(TRAINABLE))) {
            for (Map.Entry<String, ai.djl.ndarray.NDArray> e : trainable.entrySet()) {
                if (!r.entries().containsKey(e.getKey())) {
                    throw new IOException(checkpoint + " has no trained array " + e.getKey()
                            + " (was it written with another LoRA/full-tuning setting?)");
                }
                OwnedArrays.copyInto(e.getValue(), r.read(e.getKey()).data());
            }
        }
        int steps;
        try (SafeTensorsReader r = SafeTensorsReader.open(checkpoint.resolve(OPTIMIZER))) {
            for (String n : r.entries().keySet()) {
                opt.put(n, r.read(n));
            }
            steps = Integer.parseInt(r.metadata().getOrDefault("steps", Integer.toString(state.step())));
        }
        optimizer.restore(opt, steps);
        return state;
    }

    private static int stepOf(Path p) {
        return Integer.parseInt(p.getFileName().toString().substring(PREFIX.length()));
    }

    private static void prune(Path root, int keep) throws IOException {
        if (keep <= 0) {
            return;
        }
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+")).forEach(all::add);
        }
        all.sort(Comparator.comparingInt(Checkpoints::stepOf));
        for (int i = 0; i < all.size() - keep; i++) {
            deleteRecursively(all.get(i));
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
