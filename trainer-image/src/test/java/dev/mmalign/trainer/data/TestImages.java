package dev.mmalign.trainer.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Tiny real images for stage tests: stages decode every image (under size limits) before using it. */
public final class TestImages {

    private TestImages() {}

    /**
     * A PNG of a few dozen bytes whose header claims {@code width}×{@code height} (signature, IHDR with a correct
     * CRC, IEND; no pixel data): decoding it naively allocates width×height×4 bytes.
     */
    public static Path pngHeaderOnly(Path file, int width, int height) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
            ihdr.put(new byte[] {'I', 'H', 'D', 'R'}).putInt(width).putInt(height)
                    .put((byte) 8).put((byte) 6).put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(out, ihdr.array());
            chunk(out, new byte[] {'I', 'E', 'N', 'D'});
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, out.toByteArray());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chunk(java.io.ByteArrayOutputStream out, byte[] typeAndData) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(typeAndData);
        out.write(java.nio.ByteBuffer.allocate(4).putInt(typeAndData.length - 4).array());
        out.write(typeAndData);
        out.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A 4×4 PNG at {@code file} (folders created). */
    public static Path png(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
