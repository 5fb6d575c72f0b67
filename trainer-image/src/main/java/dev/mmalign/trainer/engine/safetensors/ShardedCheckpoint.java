package dev.mmalign.trainer.engine.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Hugging Face weight layout of a model directory: either one {@code model.safetensors}, or shards
 * {@code model-00001-of-0000N.safetensors} listed in {@code model.safetensors.index.json}
 * ({"metadata":{"total_size":...},"weight_map":{tensor name: shard file}}).
 */
public final class ShardedCheckpoint {
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ShardedCheckpoint() {}

    /** One tensor of a checkpoint, handed to a {@link TensorVisitor} with the open file that holds it. */
    @FunctionalInterface
    public interface TensorVisitor {
        void visit(String name, SafeTensorsReader file) throws IOException;
    }

    /** Reads every tensor of the model directory (sharded or not), in file order, decoded to float[] on the heap. */
    public static Map<String, Tensor> read(Path dir) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        forEach(dir, (name, file) -> out.put(name, file.read(name)));
        return out;
    }

    /**
     * Visits every tensor of the model directory (sharded or not) in file order, one shard open at a time, without
     * reading any data itself: the streamed loader reads each tensor straight to the device.
     */
    public static void forEach(Path dir, TensorVisitor visitor) throws IOException {
        Path index = dir.resolve(INDEX);
        if (Files.exists(index)) {
            JsonNode weightMap = JSON.readTree(index.toFile()).get("weight_map");
            if (weightMap == null || !weightMap.isObject()) {
                throw new SafeTensorsException(index + ": no weight_map object");
            }
            Map<String, List<String>> byFile = new LinkedHashMap<>();
            weightMap.fields().forEachRemaining(
                    f -> byFile.computeIfAbsent(f.getValue().asText(), k -> new ArrayList<>()).add(f.getKey()));
            for (Map.Entry<String, List<String>> shard : byFile.entrySet()) {
                Path file = dir.resolve(shard.getKey());
                if (!Files.exists(file)) {
                    throw new SafeTensorsException(index + " names shard " + shard.getKey() + ", which is missing");
                }
                try (SafeTensorsReader r = SafeTensorsReader.open(file)) {
                    for (String name : shard.getValue()) {
                        if (!r.entries().containsKey(name)) {
                            throw new SafeTensorsException(index + " maps '" + name + "' to " + shard.getKey()
                                    + ", which does not contain it");
                        }
                        visitor.visit(name, r);
                    }
                }
            }
            return;
        }
        Path single = dir.resolve(SINGLE);
        if (!Files.exists(single)) {
            throw new SafeTensorsException(dir + ": neither " + SINGLE + " nor " + INDEX + " found");
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(single)) {
            for (String name : r.entries().keySet()) {
                visitor.visit(name, r);
            }
        }
    }

    /**
     * Writes the tensors into the directory, one file if they fit in {@code maxShardBytes}, else shards
     * plus the index. Tensors are never split across shards.
     */
    public static void write(Path dir, Map<String, Tensor> tensors, long maxShardBytes) throws IOException {
        Files.createDirectories(dir);
        List<Map<String, Tensor>> shards = new ArrayList<>();
        Map<String, Tensor> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long size = (long) e.getValue().data().length * e.getValue().dtype().bytes;
            if (!current.isEmpty() && currentBytes + size > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), e.getValue());
            currentBytes += size;
            total += size;
        }
        shards.add(current);
        Map<String, String> meta = Map.of("format", "pt");
        if (shards.size() == 1) {
            SafeTensorsWriter.write(dir.resolve(SINGLE), shards.get(0), meta);
            return;
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            SafeTensorsWriter.write(dir.resolve(name), shards.get(i), meta);
            for (String t : new TreeSet<>(shards.get(i).keySet())) {
                weightMap.put(t, name);
            }
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(INDEX).toFile(), index);
    }
}
