package dev.mmalign.trainer.quickstart;

import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.synthetic.PromptTruth;
import dev.mmalign.trainer.synthetic.Shape;
import dev.mmalign.trainer.synthetic.ShapeColor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * More yes/no existence questions per training scene, in the synthetic world's own wording and truth format: half
 * about objects in the image, half about absent ones (half of those with the shape of a present object, POPE's
 * adversarial kind). The world asks two per scene; a tiny model needs more of them to learn to look at the image
 * (LLaVA's tuning data and LRV-Instruct are rich in such questions). Questions the scene already has are skipped.
 */
final class ExistenceQuestions {

    private ExistenceQuestions() {}

    static List<PromptRecord> from(List<PromptRecord> prompts, int perScene, long seed) {
        Random random = new Random(seed);
        Map<String, List<PromptRecord>> byImage = new LinkedHashMap<>();
        for (PromptRecord p : prompts) {
            if (p.hasImage() && p.truth() != null) byImage.computeIfAbsent(p.image(), k -> new ArrayList<>()).add(p);
        }
        List<PromptRecord> out = new ArrayList<>();
        for (Map.Entry<String, List<PromptRecord>> scene : byImage.entrySet()) {
            List<String> present = PromptTruth.fromJson(scene.getValue().get(0).truth()).objects();
            if (present.isEmpty()) continue;
            Set<String> asked = new HashSet<>();
            scene.getValue().forEach(p -> asked.add(p.question()));
            String stem = scene.getKey().replaceFirst("\\.png$", "");
            for (int i = 0, tries = 0; i < perScene && tries < 50 * perScene; tries++) {
                boolean yes = i % 2 == 0;
                String name = yes ? present.get(random.nextInt(present.size())) : absent(present, random);
                String question = "Is there a " + name + " in the image?";
                if (!asked.add(question)) continue;
                String gold = yes ? "Yes, there is a " + name + " in the image."
                        : "No, there is no " + name + " in the image.";
                PromptTruth truth = new PromptTruth(PromptTruth.Kind.EXISTS, yes ? "yes" : "no", present);
                out.add(new PromptRecord(stem + "-exists-x" + i, scene.getKey(), question, gold, "synthetic",
                        truth.toJson()));
                i++;
            }
        }
        return out;
    }

    private static String absent(List<String> present, Random random) {
        while (true) {
            String shape = random.nextBoolean()
                    ? present.get(random.nextInt(present.size())).split(" ")[1]
                    : Shape.values()[random.nextInt(Shape.values().length)].word();
            String name = ShapeColor.values()[random.nextInt(ShapeColor.values().length)].word() + " " + shape;
            if (!present.contains(name)) return name;
        }
    }
}
