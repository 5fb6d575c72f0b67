package dev.mmalign.trainer.engine.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes an image only after its header says it is small enough: {@code ImageIO.read} allocates the whole raster
 * first, so a 20000×20000 PNG header of a few hundred bytes asks for 1.6 GB. The side limit also bounds the square
 * canvas {@link ImageProcessor} pads every image to (a 20000×1 strip would become 20000×20000).
 */
public final class ImageDecoder {

    /** Largest width or height accepted (the padded square is at most 8192² × 4 bytes = 256 MiB). */
    public static final int MAX_SIDE = 8192;
    /** Largest width × height accepted (40 megapixels, more than any camera photo a benchmark uses). */
    public static final long MAX_PIXELS = 40_000_000L;
    /** Largest file accepted. */
    public static final long MAX_BYTES = 50L * 1024 * 1024;

    /** Why an image was refused; the message says what is wrong (never the file's bytes). */
    public static final class RejectedImageException extends IOException {
        public RejectedImageException(String message) {
            super(message);
        }
    }

    private ImageDecoder() {}

    /** Decodes the image; refuses (before allocating the raster) one that is empty, corrupt or too large. */
    public static BufferedImage read(Path file) throws IOException {
        return open(file, true);
    }

    /** Checks file size, format and dimensions from the header only, without decoding the pixels. */
    public static void checkHeader(Path file) throws IOException {
        open(file, false);
    }

    private static BufferedImage open(Path file, boolean decode) throws IOException {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new RejectedImageException("not found");
        }
        if (bytes == 0) {
            throw new RejectedImageException("is empty (0 bytes)");
        }
        if (bytes > MAX_BYTES) {
            throw new RejectedImageException("is " + bytes + " bytes, more than the limit of " + MAX_BYTES);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new RejectedImageException("is not an image in a readable format (PNG, JPEG, GIF, BMP)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width;
                long height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new RejectedImageException("has a corrupt header");
                }
                if (width <= 0 || height <= 0 || width > MAX_SIDE || height > MAX_SIDE
                        || width * height > MAX_PIXELS) {
                    throw new RejectedImageException("is " + width + "×" + height + " pixels; at most " + MAX_SIDE
                            + " per side and " + MAX_PIXELS + " in all are accepted");
                }
                if (!decode) {
                    return null;
                }
                try {
                    return reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw new RejectedImageException("is corrupt (" + e.getClass().getSimpleName() + ")");
                }
            } finally {
                reader.dispose();
            }
        }
    }
}
