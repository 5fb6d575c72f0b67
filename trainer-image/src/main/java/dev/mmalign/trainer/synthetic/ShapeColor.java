package dev.mmalign.trainer.synthetic;

import java.awt.Color;

/** Colours the synthetic world paints with: few and far apart, so a tiny vision encoder can tell them apart. */
public enum ShapeColor {
    RED(new Color(220, 30, 30)), GREEN(new Color(30, 170, 40)), BLUE(new Color(30, 60, 220)),
    YELLOW(new Color(235, 200, 20));

    private final Color rgb;

    ShapeColor(Color rgb) {
        this.rgb = rgb;
    }

    public Color rgb() {
        return rgb;
    }

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
