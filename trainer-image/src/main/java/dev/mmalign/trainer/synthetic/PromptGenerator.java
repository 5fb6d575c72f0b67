package dev.mmalign.trainer.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Questions about a scene with gold answers from the truth: existence yes/no (half about absent objects, as POPE and
 * LRV-Instruct's negative prompts do), colour, count, position and "describe the image".
 */
public final class PromptGenerator {

    private final Random random;

    public PromptGenerator(long seed) {
        this.random = new Random(seed);
    }

    public List<SyntheticPrompt> promptsFor(Scene scene, String image) {
        List<String> names = scene.objects().stream().map(SceneObject::name).toList();
        List<SyntheticPrompt> out = new ArrayList<>();
        SceneObject present = scene.objects().get(random.nextInt(scene.objects().size()));
        out.add(exists(scene, image, present.shape(), present.color(), names, "p"));
        SceneObject absent = absentObject(scene);
        out.add(exists(scene, image, absent.shape(), absent.color(), names, "a"));
        for (SceneObject o : scene.objects()) {
            if (scene.count(o.shape()) == 1) {
                out.add(new SyntheticPrompt(scene.id() + "-color-" + o.shape().word(), image,
                        "What color is the " + o.shape().word() + "?",
                        "The " + o.shape().word() + " is " + o.color().word() + ".",
                        new PromptTruth(PromptTruth.Kind.COLOR, o.color().word(), names)));
                break;
            }
        }
        int n = scene.objects().size();
        out.add(new SyntheticPrompt(scene.id() + "-count", image, "How many shapes are in the image?",
                n == 1 ? "There is 1 shape in the image." : "There are " + n + " shapes in the image.",
                new PromptTruth(PromptTruth.Kind.COUNT, Integer.toString(n), names)));
        out.add(new SyntheticPrompt(scene.id() + "-position", image,
                "Where is the " + present.name() + ": on the left, in the middle or on the right?",
                "The " + present.name() + " is " + (present.column() == 1 ? "in the middle." : "on the "
                        + present.horizontalPosition() + "."),
                new PromptTruth(PromptTruth.Kind.POSITION, present.horizontalPosition(), names)));
        out.add(new SyntheticPrompt(scene.id() + "-describe", image, "Describe the image.",
                "The image shows " + scene.description() + ".",
                new PromptTruth(PromptTruth.Kind.DESCRIBE, scene.description(), names)));
        return out;
    }

    private SyntheticPrompt exists(Scene scene, String image, Shape shape, ShapeColor color, List<String> names,
                                   String suffix) {
        boolean yes = scene.contains(shape, color);
        String name = color.word() + " " + shape.word();
        return new SyntheticPrompt(scene.id() + "-exists-" + suffix, image, "Is there a " + name + " in the image?",
                yes ? "Yes, there is a " + name + " in the image." : "No, there is no " + name + " in the image.",
                new PromptTruth(PromptTruth.Kind.EXISTS, yes ? "yes" : "no", names));
    }

    /**
     * An object not in the scene; half the time with the shape of one that is (POPE's "adversarial" kind), so that
     * answering from the shape alone is not enough.
     */
    private SceneObject absentObject(Scene scene) {
        while (true) {
            Shape shape = random.nextBoolean()
                    ? scene.objects().get(random.nextInt(scene.objects().size())).shape()
                    : Shape.values()[random.nextInt(Shape.values().length)];
            ShapeColor color = ShapeColor.values()[random.nextInt(ShapeColor.values().length)];
            if (!scene.contains(shape, color)) {
                return new SceneObject(shape, color, 0, 0);
            }
        }
    }
}
