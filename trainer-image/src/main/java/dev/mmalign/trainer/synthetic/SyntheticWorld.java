package dev.mmalign.trainer.synthetic;

import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.PromptRecord;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes the synthetic world into a folder: PNG images, train and held-out prompt files (split by scene, so held-out
 * images are never seen in training), and held-out benchmarks in their public formats: POPE JSONL, an MMBench-style
 * TSV (base64 images) and an exact-match text-only set.
 *
 * <pre>
 * images/scene-00000.png ...
 * prompts-train.jsonl      prompts-heldout.jsonl     (PromptRecord, with truth)
 * text-train.jsonl                                   (text-only PromptRecords, with truth)
 * pope-heldout.jsonl       mmbench-heldout.tsv       text-heldout.jsonl (exact-match)
 * </pre>
 */
public final class SyntheticWorld {

    /** Sizes of one generated world. */
    public record Config(int trainScenes, int heldoutScenes, int textTrain, int textHeldout, int imageSize,
                         int maxObjects, long seed) {
        public static Config small(long seed) {
            return new Config(40, 20, 30, 20, 48, 3, seed);
        }
    }

    private SyntheticWorld() {}

    public static void write(Path dir, Config config) {
        SceneGenerator scenes = new SceneGenerator(config.seed(), config.maxObjects());
        PromptGenerator prompts = new PromptGenerator(config.seed() + 1);
        SceneRenderer renderer = new SceneRenderer(config.imageSize());
        List<PromptRecord> train = new ArrayList<>();
        List<PromptRecord> heldout = new ArrayList<>();
        List<Map<String, Object>> pope = new ArrayList<>();
        List<Scene> heldoutScenes = new ArrayList<>();
        int total = config.trainScenes() + config.heldoutScenes();
        for (int i = 0; i < total; i++) {
            Scene scene = scenes.next(String.format("scene-%05d", i));
            String image = scene.id() + ".png";
            renderer.write(scene, dir.resolve("images").resolve(image));
            boolean isTrain = i < config.trainScenes();
            for (SyntheticPrompt p : prompts.promptsFor(scene, image)) {
                (isTrain ? train : heldout).add(record(p, "synthetic"));
                if (!isTrain && p.truth().kind() == PromptTruth.Kind.EXISTS) {
                    Map<String, Object> q = new LinkedHashMap<>();
                    q.put("question_id", pope.size() + 1);
                    q.put("image", image);
                    q.put("text", p.question());
                    q.put("label", p.truth().answer());
                    pope.add(q);
                }
            }
            if (!isTrain) heldoutScenes.add(scene);
        }
        AtomicFiles.writeJsonl(dir.resolve("prompts-train.jsonl"), train);
        AtomicFiles.writeJsonl(dir.resolve("prompts-heldout.jsonl"), heldout);
        AtomicFiles.writeJsonl(dir.resolve("pope-heldout.jsonl"), pope);
        AtomicFiles.write(dir.resolve("mmbench-heldout.tsv"), multipleChoiceTsv(heldoutScenes, renderer,
                new Random(config.seed() + 2)));
        TextInstructionSet.Split text = TextInstructionSet.split(config.textTrain(), config.textHeldout(),
                config.seed() + 3);
        AtomicFiles.writeJsonl(dir.resolve("text-train.jsonl"), text.train().stream().map(p -> record(p, "text"))
                .toList());
        List<Map<String, Object>> textHeldout = new ArrayList<>();
        for (SyntheticPrompt p : text.heldout()) {
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("id", p.id());
            q.put("question", p.question());
            // The whole gold answer, scored exactly after normalisation: an answer that only contains it (an echo
            // of the question, a rambling sentence) is not credited.
            q.put("answer", p.goldAnswer());
            textHeldout.add(q);
        }
        AtomicFiles.writeJsonl(dir.resolve("text-heldout.jsonl"), textHeldout);
    }

    private static PromptRecord record(SyntheticPrompt p, String source) {
        return new PromptRecord(p.id(), p.image(), p.question(), p.goldAnswer(), source, p.truth().toJson());
    }

    /**
     * MMBench columns: index, question, hint, A-D, answer, category, image (base64 PNG), in VLMEvalKit's circular
     * form: after the questions, each question again with its options rotated by 1, 2 and 3 places, at index
     * + k·1,000,000, its image cell naming the question's index instead of repeating the picture.
     */
    private static String multipleChoiceTsv(List<Scene> scenes, SceneRenderer renderer, Random random) {
        StringBuilder tsv = new StringBuilder("index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\n");
        StringBuilder copies = new StringBuilder();
        int index = 0;
        for (Scene scene : scenes) {
            // The first object whose shape is unique in the scene, so that the question has one answer.
            SceneObject o = scene.objects().stream().filter(x -> scene.count(x.shape()) == 1).findFirst()
                    .orElse(null);
            if (o == null) continue;
            List<String> options = new ArrayList<>();
            for (ShapeColor c : ShapeColor.values()) options.add(c.word());
            java.util.Collections.shuffle(options, random);
            String question = "What color is the " + o.shape().word()
                    + (o.column() == 1 ? " in the middle" : " on the " + o.horizontalPosition()) + "?";
            int right = options.indexOf(o.color().word());
            for (int k = 0; k < options.size(); k++) {
                List<String> rotated = new ArrayList<>();
                for (int i = 0; i < options.size(); i++) rotated.add(options.get((i + k) % options.size()));
                String answer = String.valueOf((char) ('A' + Math.floorMod(right - k, options.size())));
                (k == 0 ? tsv : copies).append(index + k * 1_000_000L).append('\t')
                        .append(question).append('\t')
                        .append("").append('\t')
                        .append(String.join("\t", rotated)).append('\t')
                        .append(answer).append('\t')
                        .append("attribute_recognition").append('\t')
                        .append(k == 0 ? base64Png(renderer, scene) : Integer.toString(index)).append('\n');
            }
            index++;
        }
        return tsv.append(copies).toString();
    }

    private static String base64Png(SceneRenderer renderer, Scene scene) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageIO.write(renderer.render(scene), "png", bytes);
            return Base64.getEncoder().encodeToString(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
