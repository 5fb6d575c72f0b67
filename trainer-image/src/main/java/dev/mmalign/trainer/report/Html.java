package dev.mmalign.trainer.report;

import java.util.Locale;

/** Escaping and number formatting shared by the report's renderers. */
public final class Html {

    private Html() {}

    /** Text and attribute values: the five characters that could end an element or an attribute. */
    public static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }

    /** Three decimals below 10, one above; enough to compare models, short enough for a table cell. */
    public static String num(double v) {
        if (!Double.isFinite(v)) return String.valueOf(v);
        return Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3f", v);
    }

    /** Full precision for data attributes and tooltips, so a test (or a reader) can recover the input value. */
    static String exact(double v) {
        return Double.toString(v);
    }

    /** SVG coordinates: two decimals. */
    static String coord(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
