package dev.mmalign.trainer.engine.bench;

import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small synthetic multimodal data for tests and the benchmark: coloured PNGs with questions about them. */
public final class ToyData {
    private static final String[] COLORS = {"red", "green", "blue", "yellow", "white", "black", "purple", "cyan"};
    private static final Color[] RGB = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW, Color.WHITE, Color.BLACK,
        new Color(128, 0, 128), Color.CYAN};

    private ToyData() {}

    /** Writes {@code n} PNGs (image-i.png, a colour with a square in a second colour) of the given size. */
    public static List<String> writeImages(Path dir, int n, int size) throws IOException {
        Files.createDirectories(dir);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(RGB[i % RGB.length]);
            g.fillRect(0, 0, size, size);
            g.setColor(RGB[(i / RGB.length + 3) % RGB.length]);
            g.fillRect(size / 4, size / 4, size / 2, size / 2);
            g.dispose();
            String name = "image-" + i + ".png";
            ImageIO.write(img, "png", dir.resolve(name).toFile());
            names.add(name);
        }
        return names;
    }

    public static String colour(int i) {
        return COLORS[i % COLORS.length];
    }

    /** Pairs whose chosen answer names the image's colour and whose rejected answer is a refusal. */
    public static List<DpoPairRecord> preferencePairs(List<String> images) {
        List<DpoPairRecord> pairs = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            pairs.add(new DpoPairRecord("pair-" + i, List.of(images.get(i)), "What colour is it?",
                    "It is " + colour(i) + ".", "I cannot tell.", 9.0, 3.0, null, null));
        }
        return pairs;
    }

    public static List<SftExampleRecord> sftExamples(List<String> images) {
        List<SftExampleRecord> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(new SftExampleRecord("sft-" + i, List.of(images.get(i)), "Describe the image.",
                    "A " + colour(i) + " picture."));
        }
        return out;
    }

    /** SFT examples with random text of a fixed byte length (benchmark throughput). */
    public static List<SftExampleRecord> randomText(List<String> images, int promptBytes, int completionBytes,
            long seed) {
        Random rnd = new Random(seed);
        List<SftExampleRecord> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            out.add(new SftExampleRecord("r-" + i, List.of(images.get(i)), letters(rnd, promptBytes),
                    letters(rnd, completionBytes)));
        }
        return out;
    }

    private static String letters(Random rnd, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append((char) ('a' + rnd.nextInt(26)));
        }
        return sb.toString();
    }
}
