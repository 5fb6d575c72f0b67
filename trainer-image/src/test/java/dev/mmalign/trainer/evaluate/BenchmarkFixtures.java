package dev.mmalign.trainer.evaluate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Copies the benchmark slices under src/test/resources/benchmarks into a test folder, with stand-in images. */
final class BenchmarkFixtures {

    /** A 1x1 PNG: the scoring never looks at the pixels. */
    static final byte[] PNG = java.util.Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC");

    private BenchmarkFixtures() {}

    /** Copies {@code files} of fixture folder {@code name} into {@code dir}/{@code name}; returns that folder. */
    static Path copy(Path dir, String name, List<String> files) throws IOException {
        Path out = Files.createDirectories(dir.resolve(name));
        for (String f : files) {
            try (InputStream in = BenchmarkFixtures.class.getResourceAsStream("/benchmarks/" + name + "/" + f)) {
                if (in == null) throw new IOException("no fixture " + name + "/" + f);
                Files.copy(in, out.resolve(f));
            }
        }
        return out;
    }

    /** Writes a stand-in image for each name under {@code images}. */
    static Path images(Path images, List<String> names) throws IOException {
        Files.createDirectories(images);
        for (String n : names) Files.write(images.resolve(n), PNG);
        return images;
    }
}
