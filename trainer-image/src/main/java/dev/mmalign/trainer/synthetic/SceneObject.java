package dev.mmalign.trainer.synthetic;

/** One object of a scene, in a cell of the 3x3 grid (column 0 = left, 2 = right; row 0 = top). */
public record SceneObject(Shape shape, ShapeColor color, int column, int row) {

    /** "red circle". */
    public String name() {
        return color.word() + " " + shape.word();
    }

    /** "left", "middle" or "right". */
    public String horizontalPosition() {
        return switch (column) {
            case 0 -> "left";
            case 1 -> "middle";
            default -> "right";
        };
    }
}
