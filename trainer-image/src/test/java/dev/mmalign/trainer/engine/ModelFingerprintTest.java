package dev.mmalign.trainer.engine;

import static org.junit.jupiter.api.Assertions.*;

import dev.mmalign.trainer.engine.lora.Lora;
import dev.mmalign.trainer.engine.lora.LoraConfig;
import dev.mmalign.trainer.engine.safetensors.ShardedCheckpoint;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the identity pair files record for their reference model: the same model gives the same fingerprint wherever
 * it lies, another checkpoint, config or adapter gives another, also when large files are only sampled.
 */
class ModelFingerprintTest {
    @TempDir Path dir;

    private static void copyDir(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Flips one byte in the middle of the file's data (a changed weight). */
    private static void flipByte(Path file, long at) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, at);
        }
    }

    @Test
    void sameModelAnywhereSameFingerprintAndAnyChangeAnother() throws Exception {
        Path a = dir.resolve("a");
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            ModelLoader.save(vlm, a, 20_000); // sharded
            Lora.attach(vlm.model(), LoraConfig.builder().rank(2).alpha(4).build(), 1);
            Lora.save(vlm.model(), LoraConfig.builder().rank(2).alpha(4).build(), dir.resolve("adapter"), "a");
        }
        String fa = ModelFingerprint.of(a, null);
        assertEquals(64, fa.length());
        Path b = dir.resolve("elsewhere/b");
        copyDir(a, b);
        assertEquals(fa, ModelFingerprint.of(b, null), "the path is not part of the identity");
        assertNotEquals(fa, ModelFingerprint.of(a, dir.resolve("adapter")), "an adapter makes another model");
        Path shard = b.resolve(Files.readString(b.resolve(ShardedCheckpoint.INDEX)).contains("00002")
                ? "model-00002-of-" + shardCount(b) + ".safetensors" : ShardedCheckpoint.SINGLE);
        long size = Files.size(shard);
        flipByte(shard, size - 100);
        assertNotEquals(fa, ModelFingerprint.of(b, null), "one changed weight makes another model");
        copyDir(a, b);
        Files.writeString(b.resolve("config.json"), Files.readString(b.resolve("config.json")).replace("1.0E-5", "2.0E-5"));
        assertNotEquals(fa, ModelFingerprint.of(b, null), "another config makes another model");
    }

    @Test
    void largeFilesAreSampledAndAChangedWeightStillShows() throws Exception {
        Path a = dir.resolve("a");
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            ModelLoader.save(vlm, a);
        }
        Path file = a.resolve(ShardedCheckpoint.SINGLE);
        long size = Files.size(file);
        String sampled = ModelFingerprint.of(a, null, 1024);
        assertNotEquals(ModelFingerprint.of(a, null), sampled, "below the threshold the file is hashed whole");
        // A fine-tune changes weights all over the file; the sampled blocks cover 256 × 4 KiB spread evenly.
        flipByte(file, size / 2 + 10);
        assertNotEquals(sampled, ModelFingerprint.of(a, null, 1024));
    }

    private static String shardCount(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            long n = files.filter(f -> f.getFileName().toString().endsWith(".safetensors")).count();
            return String.format("%05d", n);
        }
    }
}
