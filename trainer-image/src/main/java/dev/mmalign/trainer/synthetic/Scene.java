package dev.mmalign.trainer.synthetic;

import java.util.List;

/** A synthetic image's known contents: the ground truth every gold answer and oracle rating comes from. */
public record Scene(String id, List<SceneObject> objects) {

    public boolean contains(Shape shape, ShapeColor color) {
        return objects.stream().anyMatch(o -> o.shape() == shape && o.color() == color);
    }

    public long count(Shape shape) {
        return objects.stream().filter(o -> o.shape() == shape).count();
    }

    /** "a red circle on the left and a blue square in the middle". */
    public String description() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < objects.size(); i++) {
            SceneObject o = objects.get(i);
            if (i > 0) {
                text.append(i == objects.size() - 1 ? " and " : ", ");
            }
            text.append("a ").append(o.name()).append(o.column() == 1 ? " in the middle" : " on the "
                    + o.horizontalPosition());
        }
        return text.toString();
    }
}
