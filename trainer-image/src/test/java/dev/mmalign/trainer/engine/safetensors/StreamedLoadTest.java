package dev.mmalign.trainer.engine.safetensors;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards {@link SafeTensorsReader#load}, which streams a tensor to the device without decoding it on the heap: it must
 * give exactly the values of the heap decoder ({@link SafeTensorsReader#read}, checked against the format by
 * SafeTensorsFormatTest) for every dtype, at any offset in the file, for odd element counts, and for the special bf16
 * values (signed zero, subnormals, infinities, NaN) that the integer recipe has to carry through bit for bit, whether a
 * tensor fits in one read chunk or spans many.
 */
class StreamedLoadTest {
    @TempDir Path dir;

    /** A file of three tensors: a 1-element F32 (so later data starts unaligned to 4), then BF16 and F16 ones. */
    private Path fixture(short[] bf16, short[] f16, float[] f32) throws Exception {
        long b0 = 4;
        long b1 = b0 + 2L * bf16.length;
        long b2 = b1 + 2L * f16.length;
        long b3 = b2 + 4L * f32.length;
        String header = "{\"pad\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[" + bf16.length + "],\"data_offsets\":[" + b0 + "," + b1 + "]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[" + f16.length + "],\"data_offsets\":[" + b1 + "," + b2 + "]},"
                + "\"f\":{\"dtype\":\"F32\",\"shape\":[" + f32.length + "],\"data_offsets\":[" + b2 + "," + b3 + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate((int) (8 + h.length + b3)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h).putFloat(7f);
        for (short s : bf16) {
            buf.putShort(s);
        }
        for (short s : f16) {
            buf.putShort(s);
        }
        for (float v : f32) {
            buf.putFloat(v);
        }
        Path p = dir.resolve("t.safetensors");
        Files.write(p, buf.array());
        return p;
    }

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    @Test
    void everyDtypeStreamsToExactlyTheHeapDecodersValues() throws Exception {
        check(SafeTensorsReader.CHUNK);
    }

    /** 12-byte chunks: every tensor spans many chunks, and the odd bf16 count ends in a 2-byte chunk. */
    @Test
    void chunkBoundariesChangeNothing() throws Exception {
        check(12);
    }

    private void check(int chunkBytes) throws Exception {
        Random rnd = new Random(1);
        short[] bf16 = new short[1001]; // odd: the int32 pairing must pad
        for (int i = 0; i < bf16.length; i++) {
            bf16[i] = (short) rnd.nextInt(1 << 16);
        }
        // Special values at both positions of an int32 pair: -0, +inf, -inf, a NaN, a subnormal, the largest finite.
        short[] special = {(short) 0x8000, (short) 0x7f80, (short) 0xff80, (short) 0x7fc1, (short) 0x0001,
            (short) 0x7f7f, (short) 0xffff};
        System.arraycopy(special, 0, bf16, 0, special.length);
        System.arraycopy(special, 0, bf16, 994, special.length);
        short[] f16 = new short[257];
        for (int i = 0; i < f16.length; i++) {
            f16[i] = DType.floatToHalf((float) rnd.nextGaussian() * 3);
        }
        float[] f32 = new float[333];
        for (int i = 0; i < f32.length; i++) {
            f32[i] = (float) rnd.nextGaussian();
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(fixture(bf16, f16, f32)).withChunkBytes(chunkBytes);
                NDManager m = NDManager.newBaseManager()) {
            for (String name : new String[] {"pad", "b", "h", "f"}) {
                float[] heap = r.read(name).data();
                NDArray streamed = r.load(name, m, DataType.FLOAT32);
                assertEquals(DataType.FLOAT32, streamed.getDataType());
                assertArrayEquals(r.entries().get(name).shape(), streamed.getShape().getShape());
                assertArrayEquals(bits(heap), bits(streamed.toFloatArray()), name + ": bit for bit");
                NDArray half = r.load(name, m, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, half.getDataType());
                float[] back = half.toType(DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < heap.length; i++) {
                    float expected = DType.halfToFloat(DType.floatToHalf(heap[i]));
                    if (Float.isNaN(heap[i])) {
                        assertTrue(Float.isNaN(back[i]), name + "[" + i + "] stays NaN");
                    } else {
                        assertEquals(expected, back[i], 0f, name + "[" + i + "] is its fp16 rounding");
                    }
                }
            }
        }
    }
}
