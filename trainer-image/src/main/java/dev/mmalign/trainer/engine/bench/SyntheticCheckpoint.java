package dev.mmalign.trainer.engine.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.WeightNames;
import dev.mmalign.trainer.engine.safetensors.DType;
import dev.mmalign.trainer.engine.safetensors.SafeTensorsWriter;
import dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A random-weight model directory of any size in Hugging Face's sharded layout, written with a bounded heap (the data
 * is streamed from a 1 MiB block of random values, repeated), for measuring loading at checkpoint sizes the heap
 * could not hold. Values are small random numbers; what they are does not matter to loading.
 */
public final class SyntheticCheckpoint {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 1 << 20;

    private SyntheticCheckpoint() {}

    /** A LLaMA-shaped decoder {@code hidden} wide with {@code layers} layers, tiny vision tower, byte vocabulary. */
    public static LlavaConfig config(int hidden, int layers) {
        return new LlavaConfig(
                new LlavaConfig.VisionConfig(64, 128, 2, 2, 16, 8, 1e-5, "quick_gelu"),
                new LlavaConfig.TextConfig(260, hidden, hidden * 11 / 4, layers, hidden / 128, hidden / 128, 1e-5,
                        10000.0, 512, false),
                3, "gelu", -2, 0, 1, 2);
    }

    /** Writes config.json, shards of at most {@code maxShardBytes} and the index; returns the tensor bytes. */
    public static long write(Path dir, LlavaConfig config, DType dtype, long maxShardBytes, long seed)
            throws IOException {
        Files.createDirectories(dir);
        config.write(dir.resolve("config.json"));
        List<Map<String, SafeTensorsWriter.Layout>> shards = new ArrayList<>();
        Map<String, SafeTensorsWriter.Layout> current = new LinkedHashMap<>();
        long currentBytes = 0;
        long total = 0;
        for (Map.Entry<String, long[]> e : WeightNames.expectedShapes(config).entrySet()) {
            long bytes = Tensor.numel(e.getValue()) * dtype.bytes;
            if (!current.isEmpty() && currentBytes + bytes > maxShardBytes) {
                shards.add(current);
                current = new LinkedHashMap<>();
                currentBytes = 0;
            }
            current.put(e.getKey(), new SafeTensorsWriter.Layout(dtype, e.getValue()));
            currentBytes += bytes;
            total += bytes;
        }
        shards.add(current);
        byte[] block = randomBlock(dtype, seed);
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode weightMap = index.putObject("weight_map");
        for (int i = 0; i < shards.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Map<String, SafeTensorsWriter.Layout> shard = shards.get(i);
            SafeTensorsWriter.write(dir.resolve(name), shard, Map.of("format", "pt"), (tensor, out) -> {
                long left = Tensor.numel(shard.get(tensor).shape()) * dtype.bytes;
                while (left > 0) {
                    int n = (int) Math.min(left, block.length);
                    out.write(block, 0, n);
                    left -= n;
                }
            });
            shard.keySet().forEach(t -> weightMap.put(t, name));
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(ShardedCheckpoint.INDEX).toFile(), index);
        return total;
    }

    /** 1 MiB of values uniform in ±0.05, little-endian in {@code dtype}. */
    private static byte[] randomBlock(DType dtype, long seed) {
        Random rnd = new Random(seed);
        ByteBuffer b = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= dtype.bytes) {
            float v = (float) ((rnd.nextDouble() - 0.5) * 0.1);
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(DType.floatToHalf(v));
                case BF16 -> b.putShort(DType.floatToBf16(v));
            }
        }
        return b.array();
    }
}
