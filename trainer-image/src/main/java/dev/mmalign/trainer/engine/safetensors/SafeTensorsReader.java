package dev.mmalign.trainer.engine.safetensors;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one .safetensors file as published at https://huggingface.co/docs/safetensors: an unsigned
 * little-endian 64-bit header length N, N bytes of UTF-8 JSON mapping tensor names to
 * {dtype, shape, data_offsets:[begin,end]} (offsets relative to the byte after the header) plus an
 * optional "__metadata__" string map, then the raw little-endian data. The whole header is validated on
 * open, so a truncated or inconsistent file fails before any tensor is used.
 */
public final class SafeTensorsReader implements AutoCloseable {
    /** Header entry of one tensor. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024; // the format's own limit

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensorsReader(Path path, FileChannel channel, long dataStart, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafeTensorsReader open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < 8) {
                throw new SafeTensorsException(path + ": truncated: " + size
                        + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER) {
                throw new SafeTensorsException(path + ": invalid header length " + Long.toUnsignedString(headerLen));
            }
            if (8 + headerLen > size) {
                throw new SafeTensorsException(path + ": truncated: header length " + headerLen
                        + " exceeds the " + (size - 8) + " bytes after the length field");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            JsonNode root;
            try {
                root = JSON.readTree(new String(header.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new SafeTensorsException(path + ": header is not valid JSON: " + e.getMessage());
            }
            if (root == null || !root.isObject()) {
                throw new SafeTensorsException(path + ": header is not a JSON object");
            }
            long dataSize = size - 8 - headerLen;
            Map<String, Entry> entries = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().equals("__metadata__")) {
                    f.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.put(f.getKey(), parseEntry(path, f.getKey(), f.getValue(), dataSize));
            }
            return new SafeTensorsReader(path, ch, 8 + headerLen, Collections.unmodifiableMap(entries),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private static Entry parseEntry(Path path, String name, JsonNode n, long dataSize) {
        JsonNode dtype = n.get("dtype");
        JsonNode shape = n.get("shape");
        JsonNode offsets = n.get("data_offsets");
        if (dtype == null || shape == null || offsets == null || !shape.isArray() || !offsets.isArray()
                || offsets.size() != 2) {
            throw new SafeTensorsException(path + ": tensor '" + name
                    + "' must have dtype, shape and two data_offsets");
        }
        DType dt = DType.parse(dtype.asText(), name);
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).asLong(-1);
            if (dims[i] < 0) {
                throw new SafeTensorsException(path + ": tensor '" + name + "' has a negative dimension");
            }
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin) {
            throw new SafeTensorsException(path + ": tensor '" + name + "' has invalid data_offsets ["
                    + begin + ", " + end + "]");
        }
        long expected = Tensor.numel(dims) * dt.bytes;
        if (end - begin != expected) {
            throw new SafeTensorsException(path + ": inconsistent: tensor '" + name + "' of shape "
                    + Arrays.toString(dims) + " and dtype " + dt + " needs " + expected
                    + " bytes but its data_offsets span " + (end - begin));
        }
        if (end > dataSize) {
            throw new SafeTensorsException(path + ": truncated: tensor '" + name + "' ends at byte " + end
                    + " of the data section, which has only " + dataSize + " bytes");
        }
        return new Entry(name, dt, dims, begin, end);
    }

    public Map<String, Entry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Tensor read(String name) throws IOException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new SafeTensorsException(path + ": no tensor named '" + name + "'");
        }
        long bytes = e.end() - e.begin();
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new SafeTensorsException(path + ": tensor '" + name + "' is larger than 2 GiB");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, buf, dataStart + e.begin());
        buf.flip();
        int n = (int) Tensor.numel(e.shape());
        float[] out = new float[n];
        switch (e.dtype()) {
            case F32 -> buf.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = DType.halfToFloat(buf.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = DType.bf16ToFloat(buf.getShort());
                }
            }
        }
        return new Tensor(out, e.shape(), e.dtype());
    }

    /**
     * Streams one tensor to {@code manager}'s device as {@code target} (FLOAT32 or FLOAT16) without decoding it on
     * the Java heap: the tensor's bytes are memory-mapped, copied once into libtorch memory and converted there. So a
     * checkpoint of any size loads with the heap flat; the mapping is off-heap and released with the buffer.
     *
     * <p>Why each step: an array created over a direct buffer aliases it ({@code from_blob}), so it is duplicated at
     * once; {@code create} ignores the buffer's position, so the mapping starts at the tensor. DJL has no bfloat16
     * (creating one aborts the JVM), so BF16 is converted with integer ops: bf16 is the top half of an fp32, and
     * each pair of bf16 values read as one little-endian int32 {@code x} holds the first in its low 16 bits and the
     * second in its high 16; {@code lo = x mod 65536}, {@code lo * 65536} and {@code x - lo} are the fp32 bit patterns
     * of the two (the multiplication wraps in two's complement, which is the intended bit pattern).
     */
    public NDArray load(String name, NDManager manager, DataType target) throws IOException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new SafeTensorsException(path + ": no tensor named '" + name + "'");
        }
        if (target != DataType.FLOAT32 && target != DataType.FLOAT16) {
            throw new IllegalArgumentException("tensors load as FLOAT32 or FLOAT16, not " + target);
        }
        long bytes = e.end() - e.begin();
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new SafeTensorsException(path + ": tensor '" + name + "' is larger than 2 GiB");
        }
        Shape shape = new Shape(e.shape());
        long n = shape.size();
        if (n == 0) {
            return manager.zeros(shape, target);
        }
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), bytes);
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        try (NDManager cpu = NDManager.newBaseManager(Device.cpu())) {
            NDArray fileTyped = switch (e.dtype()) {
                case F32 -> owned(cpu, mapped, shape, DataType.FLOAT32);
                case F16 -> owned(cpu, mapped, shape, DataType.FLOAT16);
                case BF16 -> bf16ToFloat32(cpu, mapped, n).reshape(shape);
            };
            NDArray converted = fileTyped.getDataType() == target ? fileTyped : fileTyped.toType(target, false);
            NDArray out = converted.toDevice(manager.getDevice(), false);
            out.attach(manager);
            return out;
        }
    }

    /** An array in libtorch memory holding a copy of {@code buffer}'s bytes, read as {@code type}. */
    private static NDArray owned(NDManager m, ByteBuffer buffer, Shape shape, DataType type) {
        try (NDArray aliasing = m.create(buffer, shape, type)) {
            return aliasing.duplicate();
        }
    }

    /** {@code n} bf16 values (little-endian bytes in {@code raw}) → a flat fp32 array, exactly, in libtorch. */
    private static NDArray bf16ToFloat32(NDManager m, ByteBuffer raw, long n) {
        ByteBuffer even = raw;
        if (n % 2 == 1) {
            // Pairs are read as int32: pad an odd count with one zero value, off-heap like the mapping.
            even = ByteBuffer.allocateDirect((int) (n + 1) * 2).order(ByteOrder.LITTLE_ENDIAN);
            even.put(raw.duplicate()).putShort((short) 0).flip();
        }
        NDArray pairs = owned(m, even, new Shape((n + 1) / 2), DataType.INT32);
        NDArray low = pairs.mod(65536);
        NDArray bits = low.mul(65536).stack(pairs.sub(low), 1).flatten();
        NDArray floats;
        try (NDArray aliasing = m.create(bits.toByteBuffer(true), bits.getShape(), DataType.FLOAT32)) {
            floats = aliasing.duplicate();
        }
        return n % 2 == 1 ? floats.get("0:" + n) : floats;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new SafeTensorsException("truncated: unexpected end of file at byte " + pos);
            }
            pos += r;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
