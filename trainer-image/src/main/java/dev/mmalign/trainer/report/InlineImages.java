package dev.mmalign.trainer.report;

import dev.mmalign.trainer.engine.data.ImageDecoder;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Images for the report as small PNG data URLs: scaled to fit {@value #MAX_SIDE} pixels and refused beyond
 * {@value #MAX_BYTES} bytes encoded, so a handful of samples keeps the report small.
 */
public final class InlineImages {

    static final int MAX_SIDE = 160;
    static final int MAX_BYTES = 64 * 1024;

    private InlineImages() {}

    /** The data URL, or an IOException saying why not (unreadable, not an image, too large). */
    public static String dataUrl(Path image) throws IOException {
        // The engine's decoder: its size limits hold here too (a huge image is refused, not decoded).
        BufferedImage in = ImageDecoder.read(image);
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(in.getWidth(), in.getHeight()));
        int w = Math.max(1, (int) Math.round(in.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(in.getHeight() * scale));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(in, 0, 0, w, h, null);
        g.dispose();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(out, "png", bytes);
        if (bytes.size() > MAX_BYTES) {
            throw new IOException(image + " is " + bytes.size() + " bytes as a " + w + "x" + h + " PNG, over the "
                    + MAX_BYTES + "-byte cap");
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
