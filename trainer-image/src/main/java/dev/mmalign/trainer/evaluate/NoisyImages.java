package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.NoisyImage;
import dev.mmalign.trainer.data.StableHash;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The non-informative images of the paper's noisy-image MT-Bench: a uniform grey image, or uniform random pixels
 * seeded by the question id (the same noise on every run and for every model).
 */
public final class NoisyImages {

    public static final int SIZE = 336;

    private NoisyImages() {}

    /**
     * The image to put in context of question {@code id}, written under {@code folder}; null for NONE and for PHOTOS
     * (drawn per turn by {@link NoisyPhotos}).
     */
    public static Path imageFor(NoisyImage kind, String id, Path folder) {
        if (kind == null || kind == NoisyImage.NONE || kind == NoisyImage.PHOTOS) return null;
        Path file = folder.resolve(kind == NoisyImage.BLANK ? "blank.png" : "random-" + safe(id) + ".png");
        if (Files.exists(file)) return file;
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(StableHash.of(0, id));
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                image.setRGB(x, y, kind == NoisyImage.BLANK ? 0x808080 : random.nextInt(0x1000000));
            }
        }
        try {
            Files.createDirectories(folder);
            Path temp = folder.resolve(file.getFileName() + ".tmp-" + Thread.currentThread().getId());
            ImageIO.write(image, "png", temp.toFile());
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static String safe(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
