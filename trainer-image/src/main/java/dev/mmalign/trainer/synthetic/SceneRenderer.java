package dev.mmalign.trainer.synthetic;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Draws a scene with Java2D as a square PNG: white background, each object filling most of its grid cell. */
public final class SceneRenderer {

    private final int size;

    public SceneRenderer(int size) {
        this.size = size;
    }

    public BufferedImage render(Scene scene) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size, size);
            double cell = size / 3.0;
            for (SceneObject o : scene.objects()) {
                int pad = (int) Math.round(cell * 0.12);
                int x = (int) Math.round(o.column() * cell) + pad;
                int y = (int) Math.round(o.row() * cell) + pad;
                int w = (int) Math.round(cell) - 2 * pad;
                g.setColor(o.color().rgb());
                switch (o.shape()) {
                    case CIRCLE -> g.fillOval(x, y, w, w);
                    case SQUARE -> g.fillRect(x, y, w, w);
                    case TRIANGLE -> g.fillPolygon(new int[] {x + w / 2, x + w, x}, new int[] {y, y + w, y + w}, 3);
                }
                g.setColor(Color.DARK_GRAY);
                g.setStroke(new BasicStroke(1f));
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    public void write(Scene scene, Path file) {
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(render(scene), "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
