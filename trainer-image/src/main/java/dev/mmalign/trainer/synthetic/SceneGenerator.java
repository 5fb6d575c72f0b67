package dev.mmalign.trainer.synthetic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Random scenes of 1 to {@code maxObjects} objects, each a distinct shape+colour in a distinct grid cell. Same seed,
 * same scenes.
 */
public final class SceneGenerator {

    private final Random random;
    private final int maxObjects;

    public SceneGenerator(long seed, int maxObjects) {
        this.random = new Random(seed);
        this.maxObjects = Math.max(1, Math.min(maxObjects, 9));
    }

    public Scene next(String id) {
        int n = 1 + random.nextInt(maxObjects);
        List<Integer> cells = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
        Collections.shuffle(cells, random);
        List<SceneObject> objects = new ArrayList<>();
        while (objects.size() < n) {
            Shape shape = Shape.values()[random.nextInt(Shape.values().length)];
            ShapeColor color = ShapeColor.values()[random.nextInt(ShapeColor.values().length)];
            boolean duplicate = objects.stream().anyMatch(o -> o.shape() == shape && o.color() == color);
            if (!duplicate) {
                int cell = cells.get(objects.size());
                objects.add(new SceneObject(shape, color, cell % 3, cell / 3));
            }
        }
        return new Scene(id, List.copyOf(objects));
    }
}
