package dev.mmalign.trainer.engine;

import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * A stable identity of a model folder (and an optional adapter on top): SHA-256 over config.json, the shard index,
 * the adapter config, and every weights file, so that two folders holding the same model give the same fingerprint
 * wherever they are mounted, and a different fine-tune of the same architecture gives another.
 *
 * <p>Why not hash every byte: a 13B checkpoint is 26 GB, minutes of reading for a check. Files up to
 * {@link #WHOLE_FILE_BYTES} are hashed whole (configs, adapters, small models); larger ones contribute their size,
 * their safetensors header (names, dtypes, shapes, offsets) and {@link #SAMPLES} blocks of {@link #BLOCK} bytes spread
 * evenly over the file. Any fine-tune changes essentially every weight, so it changes the sampled blocks too; two
 * checkpoints that differ only between the samples would collide, which is the stated limit.
 */
public final class ModelFingerprint {
    static final long WHOLE_FILE_BYTES = 64L << 20;
    static final int SAMPLES = 256;
    static final int BLOCK = 4096;

    private ModelFingerprint() {}

    /** Hex SHA-256 of the model folder and, when not null, the adapter folder applied to it. */
    public static String of(Path modelDir, Path adapterDir) throws IOException {
        return of(modelDir, adapterDir, WHOLE_FILE_BYTES);
    }

    /** As {@link #of(Path, Path)}, with files above {@code wholeFileBytes} sampled (tests use a small threshold). */
    static String of(Path modelDir, Path adapterDir, long wholeFileBytes) throws IOException {
        MessageDigest sha = sha256();
        for (Path file : files(modelDir, adapterDir)) {
            update(sha, file.getFileName().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            hashFile(sha, file, wholeFileBytes);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The files that define the model, in a fixed order: model config, index and weights, then the adapter's. */
    private static List<Path> files(Path modelDir, Path adapterDir) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(modelDir.resolve("config.json"));
        Path index = modelDir.resolve(ShardedCheckpoint.INDEX);
        if (Files.isRegularFile(index)) {
            files.add(index);
            TreeSet<String> shards = new TreeSet<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(index.toFile()).path("weight_map")
                    .forEach(shard -> shards.add(shard.asText()));
            shards.forEach(s -> files.add(modelDir.resolve(s)));
        } else {
            files.add(modelDir.resolve(ShardedCheckpoint.SINGLE));
        }
        if (adapterDir != null) {
            files.add(adapterDir.resolve(Lora.ADAPTER_CONFIG));
            files.add(adapterDir.resolve(Lora.ADAPTER_WEIGHTS));
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new IOException(f + ": missing, cannot fingerprint the model");
            }
        }
        return files;
    }

    private static void hashFile(MessageDigest sha, Path file, long wholeFileBytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            update(sha, ByteBuffer.allocate(8).putLong(size).array());
            if (size <= wholeFileBytes) {
                hashRange(sha, ch, 0, size);
                return;
            }
            // safetensors: 8-byte little-endian header length, then the JSON header.
            ByteBuffer len = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long header = Math.min(len.getLong(0), size - 8);
            hashRange(sha, ch, 0, 8 + header);
            long step = size / SAMPLES;
            for (int i = 0; i < SAMPLES; i++) {
                long at = i * step;
                hashRange(sha, ch, at, Math.min(BLOCK, size - at));
            }
        }
    }

    private static void hashRange(MessageDigest sha, FileChannel ch, long from, long length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, 1 << 20));
        long pos = from;
        long end = from + length;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file while fingerprinting");
            }
            buf.flip();
            sha.update(buf);
            pos += n;
        }
    }

    private static void update(MessageDigest sha, byte[] bytes) {
        sha.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
