package dev.mmalign.trainer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guards image preprocessing: PNG decode, pad-to-square, resize, CLIP normalisation, CHW layout. */
class ImageProcessorTest {
    @TempDir Path dir;

    @Test
    void pureRedPngBecomesClipNormalisedChw() throws Exception {
        BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 40, 40);
        g.dispose();
        Path p = dir.resolve("red.png");
        ImageIO.write(img, "png", p.toFile());
        float[] chw = new ImageProcessor(8).load(p);
        assertEquals(3 * 8 * 8, chw.length);
        assertEquals((1f - 0.48145466f) / 0.26862954f, chw[0], 1e-5f); // R plane
        assertEquals((0f - 0.4578275f) / 0.26130258f, chw[64], 1e-5f); // G plane
        assertEquals((0f - 0.40821073f) / 0.27577711f, chw[128 + 63], 1e-5f); // B plane, last pixel
    }

    @Test
    void wideImageIsPaddedWithTheMeanColourNotStretched() {
        BufferedImage img = new BufferedImage(40, 10, BufferedImage.TYPE_INT_RGB);
        var g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 40, 10);
        g.dispose();
        float[] chw = new ImageProcessor(8).process(img);
        // Top row lies in the padding: mean colour normalises to ~0; middle rows are white, or nearly: PIL's bicubic
        // filter is 5 input rows wide per output row at this 5x reduction, so the 10-row band blends with the padding
        // (exact PIL equality is ClipImageProcessorTest's job).
        assertEquals(0f, chw[0], 0.02f);
        float white = (1f - 0.48145466f) / 0.26862954f;
        assertTrue(chw[4 * 8 + 4] > 0.9f * white && chw[4 * 8 + 4] <= white + 1e-5f, "centre " + chw[4 * 8 + 4]);
    }

    @Test
    void nonImageFileGivesClearError() throws Exception {
        Path p = dir.resolve("x.png");
        java.nio.file.Files.writeString(p, "not an image");
        String message = assertThrows(java.io.IOException.class, () -> new ImageProcessor(8).load(p)).getMessage();
        assertTrue(message.equals("image " + p + " is not an image in a readable format (PNG, JPEG, GIF, BMP)"),
                message);
    }

    @Test
    void aHugeHeaderIsRefusedBeforeTheRasterIsAllocated() {
        // 20000×20000 would be 1.6 GB of pixels (and a 20000² padded square): refused from the header.
        Path p = dev.mmalign.trainer.data.TestImages.pngHeaderOnly(dir.resolve("huge.png"), 20000, 20000);
        String message = assertThrows(ImageDecoder.RejectedImageException.class,
                () -> new ImageProcessor(8).load(p)).getMessage();
        assertTrue(message.contains("is 20000×20000 pixels"), message);
        Path strip = dev.mmalign.trainer.data.TestImages.pngHeaderOnly(dir.resolve("strip.png"), 20000, 1);
        assertTrue(assertThrows(ImageDecoder.RejectedImageException.class, () -> new ImageProcessor(8).load(strip))
                .getMessage().contains("at most 8192 per side"), "a thin strip would pad to a 20000² square");
    }
}
