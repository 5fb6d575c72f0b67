package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.data.ImageProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A training run processes each image once, gives the same pixels as a fresh load, and stays under its byte cap. */
class PixelCacheTest {
    @TempDir
    Path dir;

    private Path png(String name, Color color) throws Exception {
        BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 20, 20);
        g.dispose();
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void anImageIsProcessedOnceAndEqualsAFreshLoad() throws Exception {
        ImageProcessor images = new ImageProcessor(8);
        PixelCache cache = new PixelCache(images, PixelCache.DEFAULT_MAX_BYTES);
        Path red = png("red.png", Color.RED);
        float[] first = cache.pixels(red);
        assertArrayEquals(images.load(red), first);
        // A changed file is not re-read: the cache lives for one run, whose images do not change.
        Files.delete(red);
        assertSame(first, cache.pixels(red));
        assertEquals(1, cache.size());
    }

    @Test
    void theLeastRecentlyUsedImageLeavesWhenTheCapIsPassed() throws Exception {
        ImageProcessor images = new ImageProcessor(8);
        long oneImage = 4L * 3 * 8 * 8;
        PixelCache cache = new PixelCache(images, 2 * oneImage);
        Path a = png("a.png", Color.RED);
        Path b = png("b.png", Color.GREEN);
        Path c = png("c.png", Color.BLUE);
        float[] pa = cache.pixels(a);
        float[] pb = cache.pixels(b);
        cache.pixels(a); // a is now the most recently used
        cache.pixels(c); // over the cap: b goes
        assertEquals(2, cache.size());
        assertEquals(2 * oneImage, cache.bytes());
        assertSame(pa, cache.pixels(a));
        assertNotSame(pb, cache.pixels(b)); // b was dropped, so it is processed again
        assertEquals(2, cache.size());
    }
}
