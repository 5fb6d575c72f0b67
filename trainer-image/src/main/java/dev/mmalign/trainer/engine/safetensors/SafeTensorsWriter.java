package dev.mmalign.trainer.engine.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes tensors into one .safetensors file in the published layout (see {@link SafeTensorsReader}). */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {}

    /** Writes the tensors in map order, each in its own dtype; returns the file's data byte count. */
    public static long write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Layout> layouts = new LinkedHashMap<>();
        tensors.forEach((name, t) -> layouts.put(name, new Layout(t.dtype(), t.shape())));
        return write(file, layouts, metadata, (name, out) -> writeData(out, tensors.get(name)));
    }

    /** Dtype and shape of one tensor to write. */
    public record Layout(DType dtype, long[] shape) {
        long bytes() {
            return Tensor.numel(shape) * dtype.bytes;
        }
    }

    /** Writes one tensor's little-endian bytes (exactly its layout's size) to the file. */
    @FunctionalInterface
    public interface DataWriter {
        void write(String name, OutputStream out) throws IOException;
    }

    /**
     * Writes a file from layouts, asking {@code data} for each tensor's bytes in map order, so that a caller can
     * stream tensors of any total size (the benchmark's synthetic checkpoints); returns the data byte count.
     */
    public static long write(Path file, Map<String, Layout> layouts, Map<String, String> metadata, DataWriter data)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Layout> e : layouts.entrySet()) {
            Layout t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            ArrayNode shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            n.putArray("data_offsets").add(offset).add(offset + t.bytes());
            offset += t.bytes();
        }
        byte[] headerBytes = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        // Pad the header with spaces to a multiple of 8 so the data section is aligned (allowed by the spec).
        int padded = (headerBytes.length + 7) / 8 * 8;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            for (int i = headerBytes.length; i < padded; i++) {
                out.write(' ');
            }
            for (String name : layouts.keySet()) {
                data.write(name, out);
            }
        }
        return offset;
    }

    private static void writeData(OutputStream out, Tensor t) throws IOException {
        float[] d = t.data();
        int chunk = 1 << 16;
        ByteBuffer buf = ByteBuffer.allocate(chunk * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < d.length; start += chunk) {
            buf.clear();
            int end = Math.min(d.length, start + chunk);
            for (int i = start; i < end; i++) {
                switch (t.dtype()) {
                    case F32 -> buf.putFloat(d[i]);
                    case F16 -> buf.putShort(DType.floatToHalf(d[i]));
                    case BF16 -> buf.putShort(DType.floatToBf16(d[i]));
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }
}
