package dev.mmalign.trainer.quickstart;

import dev.mmalign.trainer.cli.QuickstartCommand;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quickstart end to end at reduced size, through its command line and the real engine: every stage runs through
 * the stage runner from a spec file, and results.json holds the five models on the three benchmarks. Sizes are far
 * too small for the methods to mean anything; the measured comparison is the full-size run (see the README).
 */
class QuickstartTest {

    @TempDir
    Path out;

    @Test
    void reducedQuickstartCompletesWithAllModelsAndBenchmarks() throws Exception {
        int code = new CommandLine(new QuickstartCommand()).execute("--out", out.toString(),
                "--vit-scenes", "6", "--prompts-scenes", "6", "--heldout-scenes", "3", "--text-train", "6",
                "--text-heldout", "3", "--extra-existence", "1", "--vit-epochs", "1", "--epochs", "1");
        assertEquals(0, code);

        JsonNode models = Json.MAPPER.readTree(Files.readString(out.resolve("results.json"))).path("models");
        List<String> names = List.of("base", "dpo", "sft-gold", "rejection-sampling", "steerlm");
        assertEquals(names.size(), models.size(), models.toString());
        for (String model : names) {
            for (String benchmark : List.of("pope", "mmbench", "exact-match")) {
                assertTrue(models.path(model).path(benchmark).path("n").asDouble() > 0, model + "/" + benchmark);
            }
            assertTrue(models.path(model).path("pope").has("f1"), model);
        }
        String report = Files.readString(out.resolve("report.html"));
        assertTrue(report.contains("steerlm"));
        // The report shows every section the quickstart has data for: each aligned run's curves, the dataset, samples.
        for (String section : List.of("results", "training", "dataset", "samples")) {
            assertTrue(report.contains("<section id=\"" + section + "\"><h2>"), section);
        }
        for (String run : List.of("base", "dpo", "sft-gold", "rejection-sampling", "steerlm")) {
            assertTrue(report.contains("<h3 class=\"run\" data-run=\"" + run + "\">"), "training curves of " + run);
        }
        assertTrue(report.contains("data-series=\"rewards/margins\""), "the DPO run's margins");
        assertTrue(report.contains("<details class=\"sample\"") && report.contains("src=\"data:image/png;base64,"),
                "samples with their images");
        assertFalse(report.contains("class=\"note omitted\""), "no section of the quickstart left out");
        for (String spec : List.of("train-base", "sample", "annotate", "build", "train-dpo", "train-sft-gold",
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
    }

    /**
     * Guards the contract local mode relies on: {@code --prepare-only} leaves exactly the paths the quickstart
     * manifests read (world files and the tuned base), and a second call on a prepared claim changes nothing.
     */
    @Test
    void prepareOnlyLaysOutTheClaimTheManifestsExpect() throws Exception {
        String[] args = {"--out", out.toString(), "--prepare-only", "--vit-scenes", "4", "--prompts-scenes", "3",
                "--heldout-scenes", "2", "--text-train", "4", "--text-heldout", "2", "--vit-epochs", "1"};
        assertEquals(0, new CommandLine(new QuickstartCommand()).execute(args));
        for (String piece : List.of("synthetic/images", "synthetic/train/prompts.jsonl", "synthetic/heldout/pope.jsonl",
                "synthetic/heldout/mmbench.tsv", "synthetic/heldout/text-only.jsonl", "models/tiny-base/config.json")) {
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
