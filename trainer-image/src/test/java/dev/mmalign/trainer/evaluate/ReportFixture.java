package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ReportDataset;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.stage.StageContext;
import dev.mmalign.trainer.stage.StopSignal;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A storage root laid out as the quickstart leaves it (ArtifactLayout paths): a DPO run and an SFT run with metrics
 * logs in the train stage's format, a base model without one, and a dataset of 8 prompts (images drawn here), 3
 * completions each, the oracle's 1–4 ratings on three attributes and a DPO pair per prompt. The expected counts
 * are computed here from the same numbers, so tests compare the report against its input.
 */
final class ReportFixture {

    static final String DATASET = "demo";
    /** A second dataset (other prompts, other ratings) that only the SFT run trained on, for reports of several. */
    static final String DATASET_2 = "demo-two";
    static final int DPO_STEPS = 12;
    static final int SFT_STEPS = 7;
    static final int PROMPTS = 8;
    static final List<String> ATTRIBUTES = List.of("correctness", "helpfulness", "visual_faithfulness");

    final Path root;
    /** attribute → count of each rating 0..4, over every completion (of {@link #DATASET}, of {@link #DATASET_2}). */
    final Map<String, long[]> ratingCounts;
    final Map<String, long[]> ratingCounts2;
    final List<Double> dpoLoss = new ArrayList<>();

    ReportFixture(Path root) throws IOException {
        this.root = root;
        writeRun("dpo", DPO_STEPS, true);
        writeRun("sft", SFT_STEPS, false);
        ratingCounts = writeDataset(DATASET, "p", 0);
        ratingCounts2 = writeDataset(DATASET_2, "q", 1);
    }

    /** Loss falling, accuracy rising, a warm-up then linear decay of the learning rate: what a real log shows. */
    private void writeRun(String run, int steps, boolean dpo) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int s = 1; s <= steps; s++) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", s);
            line.put("total_steps", steps);
            double loss = 0.6931 * Math.exp(-0.08 * s) + 0.01 * (s % 3);
            line.put("loss", loss);
            if (dpo) {
                dpoLoss.add(loss);
                line.put("rewards/chosen", 0.02 * s);
                line.put("rewards/rejected", -0.015 * s);
                line.put("rewards/accuracies", Math.min(1.0, 0.5 + 0.05 * s));
                line.put("rewards/margins", 0.035 * s);
                line.put("logps/chosen", -42.0 + 0.3 * s);
                line.put("logps/rejected", -45.0 - 0.2 * s);
            }
            line.put("learning_rate", s <= 2 ? 5e-4 * s / 2 : 5e-4 * (steps - s) / (steps - 2));
            line.put("grad_norm", 1.5 / Math.sqrt(s));
            line.put("epoch", s / (double) steps);
            lines.append(Json.MAPPER.writeValueAsString(line)).append('\n');
        }
        Path log = root.resolve(ArtifactLayout.runMetrics(run));
        Files.createDirectories(log.getParent());
        Files.createDirectories(root.resolve(ArtifactLayout.runAdapter(run)));
        Files.writeString(log, lines);
    }

    /** Prompts {@code <prefix>0..7}, ratings shifted by {@code shift}; returns the rating counts per attribute. */
    private Map<String, long[]> writeDataset(String dataset, String prefix, int shift) throws IOException {
        Path images = root.resolve("world/images");
        Files.createDirectories(images);
        StringBuilder prompts = new StringBuilder();
        StringBuilder completions = new StringBuilder();
        StringBuilder annotations = new StringBuilder();
        StringBuilder pairs = new StringBuilder();
        Map<String, long[]> ratingCounts = new LinkedHashMap<>();
        ATTRIBUTES.forEach(a -> ratingCounts.put(a, new long[5]));
        for (int p = 0; p < PROMPTS; p++) {
            String id = prefix + p;
            BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 64, 64);
            g.setColor(p % 2 == 0 ? Color.RED : Color.BLUE);
            g.fillOval(8 + p * 2, 8, 30, 30);
            g.dispose();
            ImageIO.write(img, "png", images.resolve(id + ".png").toFile());
            prompts.append(Json.MAPPER.writeValueAsString(Map.of("id", id, "image", id + ".png",
                    "question", "How many " + (p % 2 == 0 ? "red" : "blue") + " circles are there?"))).append('\n');
            int bestSum = -1, worstSum = 99;
            String best = null, worst = null;
            for (int c = 0; c < 3; c++) {
                String cid = id + "#" + c;
                String text = "There " + (c == 0 ? "is one circle." : c == 1 ? "are two circles <b>." : "is nothing.");
                completions.append(Json.MAPPER.writeValueAsString(Map.of("promptId", id, "completionId", cid,
                        "text", text, "model", "base"))).append('\n');
                Map<String, Integer> ratings = new LinkedHashMap<>();
                int sum = 0;
                for (int a = 0; a < ATTRIBUTES.size(); a++) {
                    int r = Math.floorMod(4 - c * 2 + a + p + shift * c, 5);
                    ratings.put(ATTRIBUTES.get(a), r);
                    ratingCounts.get(ATTRIBUTES.get(a))[r]++;
                    sum += r;
                }
                if (sum > bestSum) { bestSum = sum; best = text; }
                if (sum < worstSum) { worstSum = sum; worst = text; }
                annotations.append(Json.MAPPER.writeValueAsString(Map.of("promptId", id, "completionId", cid,
                        "ratings", ratings, "reasoning", "The image shows one circle; completion " + c + " says so?",
                        "judge", "oracle"))).append('\n');
            }
            Map<String, Object> pair = new LinkedHashMap<>();
            pair.put("id", id);
            pair.put("images", List.of(id + ".png"));
            pair.put("prompt", "How many circles?");
            pair.put("chosen", best);
            pair.put("rejected", worst);
            pair.put("chosenScore", (double) bestSum);
            pair.put("rejectedScore", (double) worstSum);
            pairs.append(Json.MAPPER.writeValueAsString(pair)).append('\n');
        }
        write(ArtifactLayout.datasetPrompts(dataset), prompts);
        write(ArtifactLayout.datasetCompletions(dataset) + "/" + ArtifactLayout.shardFile("completions", 0, 1, "jsonl"),
                completions);
        write(ArtifactLayout.datasetAnnotations(dataset) + "/" + ArtifactLayout.shardFile("annotations", 0, 1, "jsonl"),
                annotations);
        write(ArtifactLayout.datasetSet(dataset, "dpo"), pairs);
        // What build writes with annotation.humanRatings: one attribute, 6 completions compared.
        write(ArtifactLayout.datasetAgreement(dataset), """
                {"humanRatings": "human.jsonl", "attributes": {"helpfulness": {"n": 6, "exactMatch": 0.5,
                 "withinOne": 1.0, "spearman": 0.75, "pearson": 0.7,
                 "confusion": [[1,1,0,0,0],[0,1,0,0,0],[0,0,1,1,0],[0,0,0,0,0],[0,0,0,1,0]]}}}
                """);
        return ratingCounts;
    }

    /** Margins of the pairs written, as the report bins them (whole numbers: one bin per integer). */
    List<Double> margins() throws IOException {
        return margins(DATASET);
    }

    List<Double> margins(String dataset) throws IOException {
        List<Double> out = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve(ArtifactLayout.datasetSet(dataset, "dpo")))) {
            var n = Json.MAPPER.readTree(line);
            out.add(n.get("chosenScore").asDouble() - n.get("rejectedScore").asDouble());
        }
        return out;
    }

    private void write(String relative, CharSequence text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** The evaluate stage's context: base without a log, the two runs with adapters, the dataset if asked. */
    StageContext context(boolean withDataset) {
        return contextAt(root, withDataset);
    }

    /**
     * As a suite whose runs trained on different datasets: dpo on {@link #DATASET}, sft on {@link #DATASET_2}; the
     * storage root is the images' root, so a dataset's imageRoot is honoured or its samples lose their images.
     */
    StageContext contextWithTwoDatasets() {
        StageContext one = contextAt(root, false);
        one.spec().reportDatasets = List.of(
                new ReportDataset(DATASET, ArtifactLayout.datasetRoot(DATASET), "world/images", List.of("dpo")),
                new ReportDataset(DATASET_2, ArtifactLayout.datasetRoot(DATASET_2), "world/images", List.of("sft")));
        return one;
    }

    static StageContext contextAt(Path root, boolean withDataset) {
        StageSpec spec = new StageSpec();
        spec.stage = StageName.evaluate;
        spec.paths.storageRoot = root.toString();
        spec.paths.outputDir = ArtifactLayout.suiteRoot("s");
        spec.models = List.of(new ResolvedModel("base", "models/base", null),
                new ResolvedModel("dpo", "models/base", ArtifactLayout.runAdapter("dpo")),
                new ResolvedModel("sft", "models/base", ArtifactLayout.runAdapter("sft")));
        if (withDataset) {
            spec.reportDatasets = List.of(new ReportDataset(DATASET, ArtifactLayout.datasetRoot(DATASET),
                    "world/images", List.of("dpo", "sft")));
        }
        return new StageContext(spec, root.resolve("spec.json"), p -> {}, new StopSignal());
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }
}
