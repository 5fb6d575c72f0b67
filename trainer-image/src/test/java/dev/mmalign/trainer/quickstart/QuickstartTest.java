package dev.mmalign.trainer.quickstart;

import dev.mmalign.trainer.cli.QuickstartCommand;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.trainer.stage.ModelLoaders;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quickstart end to end at reduced size, through its command line and the real engine: every stage runs through
 * the stage runner from a spec file, and results.json holds the six models on the three benchmarks and the claim's
 * figures. Sizes are far too small for the methods to mean anything; the measured comparison is the full-size run
 * (see the README).
 */
class QuickstartTest {

    @TempDir
    Path out;

    @Test
    void reducedQuickstartCompletesWithAllModelsAndBenchmarks() throws Exception {
        int code = new CommandLine(new QuickstartCommand()).execute("--out", out.toString(),
                "--vit-scenes", "6", "--prompts-scenes", "6", "--heldout-scenes", "3", "--text-train", "6",
                "--text-heldout", "3", "--extra-existence", "1", "--lm-epochs", "1", "--vit-epochs", "1", "--epochs", "1");
        assertEquals(0, code);

        JsonNode results = Json.MAPPER.readTree(Files.readString(out.resolve("results.json")));
        JsonNode models = results.path("models");
        List<String> names = List.of("lm", "base", "dpo", "sft-gold", "rejection-sampling", "steerlm");
        assertEquals(names.size(), models.size(), models.toString());
        for (String model : names) {
            for (String benchmark : List.of("pope", "mmbench", "text-only")) {
                assertTrue(models.path(model).path(benchmark).path("n").asDouble() > 0, model + "/" + benchmark);
            }
            assertTrue(models.path(model).path("pope").has("f1"), model);
        }
        JsonNode claim = results.path("claim");
        assertEquals(List.of("text_lm", "text_base", "text_dpo", "pope_acc_base", "pope_acc_dpo", "pope_yes_base",
                "pope_yes_dpo"), iterable(claim.fieldNames()));
        assertEquals(models.path("base").path("text-only").path("accuracy").asDouble(),
                claim.path("text_base").asDouble());
        assertEquals(models.path("dpo").path("pope").path("accuracy").asDouble(), claim.path("pope_acc_dpo").asDouble());
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("steerlm"));
        // The report shows every section the quickstart has data for: each aligned run's curves, the dataset, samples.
        for (String section : List.of("results", "training", "dataset", "samples")) {
            assertTrue(report.contains("<section id=\"" + section + "\"><h2>"), section);
        }
        for (String run : List.of("lm", "base", "dpo", "sft-gold", "rejection-sampling", "steerlm")) {
            assertTrue(report.contains("<h3 class=\"run\" data-run=\"" + run + "\">"), "training curves of " + run);
        }
        assertTrue(report.contains("data-series=\"rewards/margins\""), "the DPO run's margins");
        assertTrue(report.contains("<details class=\"sample\"") && report.contains("src=\"data:image/png;base64,"),
                "samples with their images");
        assertFalse(report.contains("class=\"note omitted\""), "no section of the quickstart left out");
        for (String spec : List.of("train-lm", "train-base", "sample", "annotate", "build", "train-dpo", "train-sft-gold",
                "train-rejection-sampling", "train-steerlm", "evaluate")) {
            assertTrue(Files.exists(out.resolve("specs/" + spec + ".json")), "stage spec written: " + spec);
            assertTrue(Files.readString(out.resolve("logs/" + spec + ".termination-log")).contains("succeeded"),
                    "termination message written: " + spec);
        }
        assertTrue(Files.exists(out.resolve("mmalign/runs/dpo/adapter/adapter_config.json")));
        // The synthetic people's ratings were compared with the judge's (agreement.json beside the annotations).
        JsonNode agreement = Json.MAPPER.readTree(out.resolve(
                dev.mmalign.api.stage.ArtifactLayout.datasetAgreement("quickstart")).toFile());
        assertTrue(agreement.path("attributes").path("helpfulness").path("n").asLong() > 0, agreement.toString());
        assertEquals(5, agreement.path("attributes").path("helpfulness").path("confusion").size());
        assertTrue(Files.exists(out.resolve("mmalign/runs/base/merged/config.json")));

        // Models evaluated side by side give, bit for bit, what they give one after another: every answer, each
        // model's scores, the merged results and the report (generation must not share random state across threads).
        List<String> runs = Quickstart.RUNS.stream().map(Quickstart.Run::name).toList();
        Path suite = out.resolve(ArtifactLayout.suiteRoot(QuickstartSpecs.SUITE));
        Quickstart again = new Quickstart(out, TINY, ModelLoaders.discover(), System.out);
        deleteTree(suite);
        again.evaluate(runs, 2);
        Map<String, String> sideBySide = evaluationOutputs(suite);
        deleteTree(suite);
        again.evaluate(runs, 1);
        Map<String, String> serial = evaluationOutputs(suite);
        assertTrue(serial.keySet().containsAll(List.of("results.json", "report.html",
                "models/steerlm/samples/steerlm/pope.jsonl")), serial.keySet().toString());
        assertEquals(serial.keySet(), sideBySide.keySet());
        serial.forEach((file, text) -> assertEquals(text, sideBySide.get(file), file));
    }

    /** Evaluation settings only: the specs of evaluate read none of these. */
    private static final QuickstartSettings TINY = new QuickstartSettings(6, 6, 3, 6, 3, 1, 1, 1, 1, 1, 1e-3, 1e-3,
            1e-5, 1e-5, 0.1, 8, 0, 0.7, 48, 7);

    /** The suite's answers, scores and report by path (result files with their timings left out). */
    private static Map<String, String> evaluationOutputs(Path suite) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(suite)) {
            for (Path f : walk.filter(Files::isRegularFile).toList()) {
                String name = suite.relativize(f).toString().replace('\\', '/');
                if (name.endsWith(".jsonl") && name.contains("/samples/") || name.endsWith("results.json")
                        || name.equals("report.html")) {
                    files.put(name, Files.readString(f));
                }
            }
        }
        return files;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /**
     * Guards the paper's two-stage base: the language model learns from text instructions only, and the base is that
     * model tuned on image questions only (no text instruction in its set), so what visual tuning costs in text shows.
     */
    @Test
    void baseIsTheLanguageModelTunedOnImageQuestionsOnly() throws Exception {
        String[] args = {"--out", out.toString(), "--prepare-only", "--vit-scenes", "4", "--prompts-scenes", "3",
                "--heldout-scenes", "2", "--text-train", "8", "--text-heldout", "2", "--vit-epochs", "1",
                "--lm-epochs", "1"};
        assertEquals(0, new CommandLine(new QuickstartCommand()).execute(args));
        Path work = out.resolve(".quickstart");
        JsonNode lm = Json.MAPPER.readTree(Files.readString(work.resolve("specs/train-lm.json")));
        JsonNode base = Json.MAPPER.readTree(Files.readString(work.resolve("specs/train-base.json")));
        assertEquals("models/tiny-init", lm.path("paths").path("inputs").path("model").asText());
        assertEquals("mmalign/runs/lm/merged", base.path("paths").path("inputs").path("model").asText());
        assertFalse(base.path("run").path("lora").path("enabled").asBoolean(), "by default every weight is tuned");
        List<String> text = Files.readAllLines(work.resolve(lm.path("paths").path("inputs").path("dataset").asText()));
        List<String> visual = Files.readAllLines(work.resolve(base.path("paths").path("inputs").path("dataset").asText()));
        assertEquals(8, text.size());
        for (String line : text) {
            assertTrue(Json.MAPPER.readTree(line).path("images").isEmpty(), "text only: " + line);
        }
        assertTrue(!visual.isEmpty());
        for (String line : visual) {
            assertEquals(1, Json.MAPPER.readTree(line).path("images").size(), "an image question: " + line);
        }
    }

    /**
     * Guards the LoRA variant of visual tuning (LLaVA-1.5's): the base stage trains a LoRA adapter (alpha twice the
     * rank) with the projector fully trained, and the base the rest of the recipe starts from is the merged model.
     */
    @Test
    void visualTuningWithLoraTrainsAnAdapterAndTheProjectorAndMergesThem() throws Exception {
        String[] args = {"--out", out.toString(), "--prepare-only", "--vit-scenes", "4", "--prompts-scenes", "3",
                "--heldout-scenes", "2", "--text-train", "4", "--text-heldout", "2", "--lm-epochs", "1",
                "--vit-epochs", "1", "--vit-lora-rank", "4"};
        assertEquals(0, new CommandLine(new QuickstartCommand()).execute(args));
        Path work = out.resolve(".quickstart");
        JsonNode lora = Json.MAPPER.readTree(Files.readString(work.resolve("specs/train-base.json")))
                .path("run").path("lora");
        assertTrue(lora.path("enabled").asBoolean(), lora.toString());
        assertEquals(4, lora.path("rank").asInt());
        assertEquals(8.0, lora.path("alpha").asDouble());
        assertTrue(lora.path("trainProjector").asBoolean(), lora.toString());
        JsonNode adapter = Json.MAPPER.readTree(Files.readString(
                work.resolve(ArtifactLayout.runAdapter("base")).resolve("adapter_config.json")));
        assertTrue(adapter.path("modules_to_save").toString().contains("multi_modal_projector"), adapter.toString());
        assertTrue(Files.exists(out.resolve("models/tiny-base/config.json")), "the merged base is the claim's base");
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new java.util.ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    /**
     * Guards the contract local mode relies on: {@code --prepare-only} leaves exactly the paths the quickstart
     * manifests read (world files and the tuned base), and a second call on a prepared claim changes nothing.
     */
    @Test
    void prepareOnlyLaysOutTheClaimTheManifestsExpect() throws Exception {
        String[] args = {"--out", out.toString(), "--prepare-only", "--vit-scenes", "4", "--prompts-scenes", "3",
                "--heldout-scenes", "2", "--text-train", "4", "--text-heldout", "2", "--lm-epochs", "1", "--vit-epochs", "1"};
        assertEquals(0, new CommandLine(new QuickstartCommand()).execute(args));
        for (String piece : List.of("synthetic/images", "synthetic/train/prompts.jsonl", "synthetic/heldout/pope.jsonl",
                "synthetic/heldout/mmbench.tsv", "synthetic/heldout/text-only.jsonl", "models/tiny-lm/config.json",
                "models/tiny-base/config.json")) {
            assertTrue(Files.exists(out.resolve(piece)), piece);
        }
        String firstPrompt = Files.readAllLines(out.resolve("synthetic/train/prompts.jsonl")).get(0);
        assertTrue(Files.exists(out.resolve("synthetic/images").resolve(
                Json.MAPPER.readTree(firstPrompt).path("image").asText())), "prompt images resolve under imageRoot");
        assertTrue(Files.notExists(out.resolve("mmalign/runs/dpo")), "nothing beyond the base is trained");

        long modified = Files.getLastModifiedTime(out.resolve("models/tiny-base/config.json")).toMillis();
        assertEquals(0, new CommandLine(new QuickstartCommand()).execute(args));
        assertEquals(modified, Files.getLastModifiedTime(out.resolve("models/tiny-base/config.json")).toMillis());
    }
}
