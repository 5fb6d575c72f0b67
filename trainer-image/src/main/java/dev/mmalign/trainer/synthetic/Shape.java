package dev.mmalign.trainer.synthetic;

/** Shapes the synthetic world draws. */
public enum Shape {
    CIRCLE, SQUARE, TRIANGLE;

    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
