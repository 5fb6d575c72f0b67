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
import java.util.Map;

/** Writes tensors into one .safetensors file in the published layout (see {@link SafeTensorsReader}). */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensorsWriter() {}

    /** Writes the tensors in map order, each in its own dtype; returns the file's data byte count. */
    public static long write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().name());
            ArrayNode shape = n.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long size = (long) t.data().length * t.dtype().bytes;
            n.putArray("data_offsets").add(offset).add(offset + size);
            offset += size;
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
            for (Tensor t : tensors.values()) {
                writeData(out, t);
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
