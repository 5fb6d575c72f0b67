package dev.mmalign.trainer.engine.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards the safetensors reader/writer against the published format. Fixtures are assembled here byte by
 * byte (u64 LE header length, JSON header, LE data), never by the code under test.
 */
class SafeTensorsFormatTest {
    @TempDir Path dir;

    /** Builds a file from a raw header string and raw data bytes, as the spec lays it out. */
    private Path fixture(String name, String header, byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        out.write(data);
        Path p = dir.resolve(name);
        Files.write(p, out.toByteArray());
        return p;
    }

    private static byte[] le(Object... values) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (Object v : values) {
            if (v instanceof Float f) {
                b.putFloat(f);
            } else {
                b.putShort(((Number) v).shortValue());
            }
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void readsNamesShapesDtypesAndValuesOfF32F16Bf16() throws Exception {
        // F32 [2,2] = 1, -2, 0.5, 3 ; F16 [3] = 1.0 (0x3C00), -2.0 (0xC000), 0.5 (0x3800);
        // BF16 [2] = 1.0 (0x3F80), -3.0 (0xC040).
        byte[] data = concat(le(1f, -2f, 0.5f, 3f), le(0x3C00, 0xC000, 0x3800), le(0x3F80, 0xC040));
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[22,26]}}";
        try (SafeTensorsReader r = SafeTensorsReader.open(fixture("x.safetensors", header, data))) {
            assertEquals(java.util.List.of("a", "h", "b"), java.util.List.copyOf(r.entries().keySet()));
            assertEquals("pt", r.metadata().get("format"));
            Tensor a = r.read("a");
            assertArrayEquals(new long[] {2, 2}, a.shape());
            assertEquals(DType.F32, a.dtype());
            assertArrayEquals(new float[] {1f, -2f, 0.5f, 3f}, a.data());
            Tensor h = r.read("h");
            assertEquals(DType.F16, h.dtype());
            assertArrayEquals(new float[] {1f, -2f, 0.5f}, h.data());
            Tensor b = r.read("b");
            assertEquals(DType.BF16, b.dtype());
            assertArrayEquals(new float[] {1f, -3f}, b.data());
        }
    }

    @Test
    void truncatedDataIsRejectedWithClearError() throws Exception {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}";
        Path p = fixture("t.safetensors", header, le(1f, 2f)); // 8 of the 16 data bytes
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    }

    @Test
    void headerLongerThanFileIsRejected() throws Exception {
        Path p = dir.resolve("h.safetensors");
        Files.write(p, concat(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array(),
                "{}".getBytes(StandardCharsets.UTF_8)));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(tiny));
    }

    @Test
    void shapeInconsistentWithOffsetsIsRejected() throws Exception {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}";
        Path p = fixture("i.safetensors", header, le(1f, 2f, 3f, 4f));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(p));
        assertTrue(e.getMessage().contains("inconsistent"), e.getMessage());
    }

    @Test
    void unknownDtypeAndBadJsonAreRejected() throws Exception {
        Path p = fixture("d.safetensors", "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                new byte[8]);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(p)).getMessage()
                .contains("unsupported dtype"));
        Path q = fixture("j.safetensors", "{not json", new byte[0]);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensorsReader.open(q)).getMessage()
                .contains("JSON"));
    }

    @Test
    void writerOutputFollowsTheSpecWhenParsedByHand() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.f32(new float[] {1.5f, -2f}, 2));
        t.put("h", new Tensor(new float[] {1f, 0.5f}, new long[] {1, 2}, DType.F16));
        t.put("b", new Tensor(new float[] {-3f}, new long[] {1}, DType.BF16));
        Path p = dir.resolve("w.safetensors");
        SafeTensorsWriter.write(p, t, Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(p);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}"), header);
        assertTrue(header.contains("\"h\":{\"dtype\":\"F16\",\"shape\":[1,2],\"data_offsets\":[8,12]}"), header);
        assertTrue(header.contains("\"b\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[12,14]}"), header);
        assertEquals(8 + n + 14, bytes.length);
        buf.position((int) (8 + n));
        assertEquals(1.5f, buf.getFloat());
        assertEquals(-2f, buf.getFloat());
        assertEquals((short) 0x3C00, buf.getShort());
        assertEquals((short) 0x3800, buf.getShort());
        assertEquals((short) 0xC040, buf.getShort());
    }

    @Test
    void halfAndBfloatConversionsRoundToNearestEven() {
        assertEquals((short) 0x3C00, DType.floatToHalf(1f));
        assertEquals((short) 0x7BFF, DType.floatToHalf(65504f));
        assertEquals((short) 0x7C00, DType.floatToHalf(1e6f));
        assertEquals((short) 0x0001, DType.floatToHalf(0x1p-24f)); // smallest subnormal
        assertEquals(0x1p-24f, DType.halfToFloat((short) 0x0001));
        assertEquals((short) 0x3F80, DType.floatToBf16(1f));
        // 1 + 2^-8 is exactly halfway between two bf16 values: ties to even (1.0).
        assertEquals((short) 0x3F80, DType.floatToBf16(1f + 0x1p-8f));
        assertEquals((short) 0x3F82, DType.floatToBf16(1f + 3 * 0x1p-8f));
    }

    @Test
    void shardedWriteProducesIndexAndReadsBackEveryTensor() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            float[] v = new float[10];
            Arrays.fill(v, i);
            t.put("layer." + i + ".weight", Tensor.f32(v, 2, 5));
        }
        ShardedCheckpoint.write(dir, t, 100); // 40 bytes per tensor → 2 per shard → 3 shards
        assertTrue(Files.exists(dir.resolve(ShardedCheckpoint.INDEX)));
        assertTrue(Files.exists(dir.resolve("model-00003-of-00003.safetensors")));
        String index = Files.readString(dir.resolve(ShardedCheckpoint.INDEX));
        assertTrue(index.contains("\"total_size\" : 200"), index);
        Map<String, Tensor> back = ShardedCheckpoint.read(dir);
        assertEquals(t.keySet(), back.keySet());
        for (String k : t.keySet()) {
            assertArrayEquals(t.get(k).data(), back.get(k).data());
            assertArrayEquals(t.get(k).shape(), back.get(k).shape());
        }
    }

    @Test
    void indexPointingAtMissingShardIsRejected() throws Exception {
        Files.writeString(dir.resolve(ShardedCheckpoint.INDEX),
                "{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\"}}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ShardedCheckpoint.read(dir));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
