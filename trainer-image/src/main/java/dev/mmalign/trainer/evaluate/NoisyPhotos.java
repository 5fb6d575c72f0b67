package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.StableHash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The paper's noisy-image MT-Bench with real photos: its code (findalexli/mllm-dpo, llava/eval/gen_model_answer.py,
 * {@code get_random_cocoimage}) draws a random COCO photo before every turn. Here the draw is seeded by question id
 * and turn, so every model sees the same photo at the same turn and a rerun repeats it. The engine takes one image per
 * prompt, so turn t is answered with photo t in context (the paper's prompt carried one {@code <image>} per turn).
 */
public final class NoisyPhotos {

    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");

    private final List<Path> photos;

    private NoisyPhotos(List<Path> photos) {
        this.photos = photos;
    }

    /** The photos of {@code folder} (.jpg, .jpeg, .png), sorted by name so draws do not depend on the file system. */
    public static NoisyPhotos of(Path folder, Path specFile) {
        if (!Files.isDirectory(folder)) {
            throw new InvalidInputException(specFile, "noisyImageDir " + folder + " is not a folder");
        }
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> photos = files.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(e -> p.getFileName().toString()
                            .toLowerCase(Locale.ROOT).endsWith(e)))
                    .sorted().toList();
            if (photos.isEmpty()) {
                throw new InvalidInputException(specFile, "noisyImageDir " + folder + " holds no .jpg, .jpeg or .png");
            }
            return new NoisyPhotos(photos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }

    /** The photo in context of turn {@code turn} (0-based) of question {@code id}. */
    public Path draw(String id, int turn) {
        long h = StableHash.of(turn, id);
        return photos.get((int) Math.floorMod(h, (long) photos.size()));
    }

    public int size() {
        return photos.size();
    }
}
