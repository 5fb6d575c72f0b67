package dev.mmalign.trainer.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the synthetic world: images show what the truth says, splits are disjoint, benchmarks are well formed. */
class SyntheticWorldTest {

    @TempDir
    Path dir;

    @Test
    void imagesMatchTheirTruthAtEachObjectsCentre() throws Exception {
        Scene scene = new SceneGenerator(3, 4).next("s");
        BufferedImage image = new SceneRenderer(90).render(scene);
        for (SceneObject o : scene.objects()) {
            int x = o.column() * 30 + 15;
            int y = o.row() * 30 + 20; // a little below the centre: inside triangles too
            assertEquals(o.color().rgb().getRGB(), image.getRGB(x, y), o.name());
        }
    }

    @Test
    void writesDisjointSplitsAndPublicFormatBenchmarks() throws Exception {
        SyntheticWorld.write(dir, new SyntheticWorld.Config(6, 4, 5, 5, 48, 3, 11));
        List<PromptRecord> train = JsonlReader.readAll(dir.resolve("prompts-train.jsonl"), PromptRecord.class,
                PromptRecord::problem);
        List<PromptRecord> heldout = JsonlReader.readAll(dir.resolve("prompts-heldout.jsonl"), PromptRecord.class,
                PromptRecord::problem);
        Set<String> trainImages = new HashSet<>();
        train.forEach(p -> trainImages.add(p.image()));
        heldout.forEach(p -> assertTrue(!trainImages.contains(p.image()), "held-out image seen in training"));
        for (PromptRecord p : train) {
            assertTrue(Files.exists(dir.resolve("images").resolve(p.image())));
            assertTrue(PromptTruth.fromJson(p.truth()) != null);
        }
        List<JsonNode> pope = JsonlReader.readAll(dir.resolve("pope-heldout.jsonl"), JsonNode.class, null);
        assertEquals(8, pope.size(), "two existence questions per held-out scene");
        assertEquals(4, pope.stream().filter(q -> q.path("label").asText().equals("no")).count(),
                "half are about absent objects");
        String tsv = Files.readString(dir.resolve("mmbench-heldout.tsv"));
        assertTrue(tsv.startsWith("index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\n"));
        assertTrue(Files.readAllLines(dir.resolve("text-heldout.jsonl")).size() == 5);
        BufferedImage png = ImageIO.read(dir.resolve("images/scene-00000.png").toFile());
        assertEquals(48, png.getWidth());
    }

    @Test
    void goldAnswersGetTopCorrectnessFromTheOracle() throws Exception {
        SyntheticWorld.write(dir, new SyntheticWorld.Config(5, 0, 5, 0, 32, 3, 5));
        OracleRater oracle = new OracleRater();
        for (String file : List.of("prompts-train.jsonl", "text-train.jsonl")) {
            for (PromptRecord p : JsonlReader.readAll(dir.resolve(file), PromptRecord.class, null)) {
                Map<HelpSteerAttribute, Integer> r = oracle.rate(PromptTruth.fromJson(p.truth()), p.goldAnswer(),
                        p.goldAnswer());
                assertEquals(4, r.get(HelpSteerAttribute.CORRECTNESS), p.id() + ": " + p.goldAnswer());
            }
        }
    }

    @Test
    void oraclePenalisesWrongAnswersHallucinationsAndRepetition() {
        OracleRater oracle = new OracleRater();
        PromptTruth exists = new PromptTruth(PromptTruth.Kind.EXISTS, "no", List.of("red circle"));
        assertEquals(0, oracle.rate(exists, "No.", "Yes, there is one.").get(HelpSteerAttribute.CORRECTNESS));
        assertEquals(4, oracle.rate(exists, "No.", "No, it is not there.").get(HelpSteerAttribute.CORRECTNESS));
        PromptTruth describe = new PromptTruth(PromptTruth.Kind.DESCRIBE, "a red circle",
                List.of("red circle", "blue square"));
        int honest = oracle.rate(describe, null, "A red circle and a blue square.").get(HelpSteerAttribute.CORRECTNESS);
        int hallucinating = oracle.rate(describe, null, "A red circle, a blue square and a green triangle.")
                .get(HelpSteerAttribute.CORRECTNESS);
        assertEquals(4, honest);
        assertEquals(2, hallucinating);
        PromptTruth color = new PromptTruth(PromptTruth.Kind.COLOR, "red", List.of("red circle"));
        assertEquals(2, oracle.rate(color, "red", "red or blue").get(HelpSteerAttribute.CORRECTNESS));
        assertEquals(1, oracle.rate(color, "It is red.", "red red red red").get(HelpSteerAttribute.COHERENCE));
        assertEquals(0, oracle.rate(color, "red", "").get(HelpSteerAttribute.HELPFULNESS));
    }
}
