package dev.mmalign.trainer.engine.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * LLaVA-1.5 image preprocessing: pad to a square with the mean colour ("pad" aspect mode), resize to the
 * vision tower's size, then normalise each channel with the CLIP mean/std. Output is CHW float32.
 */
public final class ImageProcessor {
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final int size;

    public ImageProcessor(int size) {
        this.size = size;
    }

    public int size() {
        return size;
    }

    public float[] load(Path png) throws IOException {
        BufferedImage img;
        try {
            img = ImageDecoder.read(png);
        } catch (ImageDecoder.RejectedImageException e) {
            throw new ImageDecoder.RejectedImageException("image " + png + " " + e.getMessage());
        }
        return process(img);
    }

    public float[] process(BufferedImage img) {
        int side = Math.max(img.getWidth(), img.getHeight());
        BufferedImage square = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = square.createGraphics();
        g.setColor(new Color(Math.round(MEAN[0] * 255), Math.round(MEAN[1] * 255), Math.round(MEAN[2] * 255)));
        g.fillRect(0, 0, side, side);
        g.drawImage(img, (side - img.getWidth()) / 2, (side - img.getHeight()) / 2, null);
        g.dispose();
        BufferedImage resized = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        g = resized.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(square, 0, 0, size, size, null);
        g.dispose();
        float[] chw = new float[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = resized.getRGB(x, y);
                int[] c = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int ch = 0; ch < 3; ch++) {
                    chw[ch * size * size + y * size + x] = (c[ch] / 255f - MEAN[ch]) / STD[ch];
                }
            }
        }
        return chw;
    }
}
