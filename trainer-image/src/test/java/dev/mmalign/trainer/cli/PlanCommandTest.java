package dev.mmalign.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.api.plan.ModelShape;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.trainer.engine.model.LlavaConfig;
import dev.mmalign.trainer.engine.model.WeightNames;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The plan command: its breakdown, its one summary line, its exit codes, on the paper's manifests. */
class PlanCommandTest {
    static final Path PAPER = Path.of("..", "examples", "paper");
    static final Pattern LINE = Pattern.compile("plan: gpu_peak_gib=(\\d+\\.\\d\\d) gpu_memory_gib=(\\d+\\.\\d) fits=(true|false)");

    record Run(int exit, String out) {
        double peak() {
            Matcher m = LINE.matcher(lastLine());
            assertTrue(m.matches(), lastLine());
            return Double.parseDouble(m.group(1));
        }

        /** GiB of one line of the breakdown, e.g. {@code weights}. */
        double item(String name) {
            Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(name) + "\\s+([0-9.]+) GiB").matcher(out);
            assertTrue(m.find(), name + " in:\n" + out);
            return Double.parseDouble(m.group(1));
        }

        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.get(lines.size() - 1);
        }
    }

    static Run plan(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int exit = new CommandLine(new PlanCommand(new PrintStream(buf, true, StandardCharsets.UTF_8))).execute(args);
        return new Run(exit, buf.toString(StandardCharsets.UTF_8));
    }

    @Test
    void paperDpoOn13bEndsWithOneSummaryLineAndItsBreakdown(@TempDir Path tmp) throws Exception {
        String config = PAPER.resolve("llava-1.5-13b-hf.config.json").toString();
        Run with = plan(PAPER.resolve("10-dpo.yaml").toString(), "--model-config", config);
        assertEquals(1, with.out().lines().filter(l -> l.startsWith("plan:")).count(), with.out());
        assertTrue(LINE.matcher(with.lastLine()).matches(), with.lastLine());
        for (String item : List.of("weights", "trainable+optimiser", "activations", "backward peak", "workspace")) {
            assertTrue(with.out().contains("  " + item), item + " missing in\n" + with.out());
        }
        assertTrue(with.out().contains("activation checkpointing"), with.out());
        // The paper's 8 pairs per device fit an 80 GiB GPU with checkpointing: blocks are recomputed a slice of the
        // sequences at a time (RecomputeSlicing), which the engine does too.
        assertTrue(with.lastLine().endsWith("fits=true"), with.out());
        assertEquals(ExitCodes.SUCCESS, with.exit());
        assertTrue(with.out().contains("for 4 of the 16 sequences at a time"), with.out());

        // The same manifest with checkpointing off: a larger plan that does not fit 80 GiB, and a suggestion.
        Path off = tmp.resolve("dpo-no-ckpt.yaml");
        Files.writeString(off, Files.readString(PAPER.resolve("10-dpo.yaml"))
                .replace("    maxLength: 876", "    maxLength: 876\n    activationCheckpointing: false"));
        Run without = plan(off.toString(), "--model-config", config);
        assertTrue(without.lastLine().endsWith("fits=false"), without.out());
        assertEquals(PlanCommand.DOES_NOT_FIT, without.exit());
        assertTrue(without.out().contains("no activation checkpointing"), without.out());
        assertTrue(without.out().contains("\nsuggest: "), without.out());
        assertTrue(without.peak() > 1.5 * with.peak(), with.peak() + " vs " + without.peak());
    }

    @Test
    void datasetManifestSizesTheSamplingBatch() {
        Run r = plan(PAPER.resolve("00-dataset.yaml").toString(), "--model-config",
                PAPER.resolve("llava-1.5-13b-hf.config.json").toString());
        assertTrue(r.out().contains("kv cache"), r.out());
        assertTrue(r.out().matches("(?s).*sampling batch: largest that fits \\d+ .*"), r.out());
        assertTrue(LINE.matcher(r.lastLine()).matches(), r.out());
    }

    /** Guards the sampling plan's precision (the manifest's spec.sampling.precision unless the option overrides it)
     * and its note that a dataset sampling from an endpoint uses no GPU in its pods. */
    @Test
    void samplingPlanReadsTheManifestsPrecisionAndNotesAnEndpoint(@TempDir Path tmp) throws Exception {
        String config = PAPER.resolve("llava-1.5-13b-hf.config.json").toString();
        Path fp32 = tmp.resolve("fp32.yaml");
        Files.writeString(fp32, Files.readString(PAPER.resolve("00-dataset.yaml"))
                .replace("    seed: 42\n", "    seed: 42\n    precision: fp32\n"));
        Run half = plan(PAPER.resolve("00-dataset.yaml").toString(), "--model-config", config);
        Run full = plan(fp32.toString(), "--model-config", config);
        Run overridden = plan(fp32.toString(), "--model-config", config, "--sampling-precision", "fp16");
        // The weights line follows the precision (2 vs 4 bytes a parameter). The peak need not: with fp16 storage
        // the planner also counts the per-use fp32 casts a generation step keeps.
        assertEquals(2 * half.item("weights"), full.item("weights"), 0.02, half.out() + full.out());
        assertFalse(full.out().contains("fp32 weight casts"), full.out());
        assertEquals(half.peak(), overridden.peak());
        assertFalse(half.out().contains("sampling.endpoint"), half.out());

        Run endpoint = plan(PAPER.resolve("01-dataset-vllm.yaml").toString(), "--model-config", config);
        assertTrue(endpoint.out().contains("spec.sampling.endpoint is set: the sample pods use no GPU"),
                endpoint.out());
    }

    @Test
    void badInputExitsTwoNamingTheFile(@TempDir Path tmp) throws Exception {
        Path manifest = tmp.resolve("run.yaml");
        Files.writeString(manifest, """
                kind: AlignmentRun
                spec:
                  method: DPO
                  baseModel: {path: models/x}
                """);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Run r = plan(manifest.toString(), "--storage-root", tmp.toString());
            assertEquals(ExitCodes.INVALID_INPUT, r.exit());
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("models/x/config.json"), err.toString());
        } finally {
            System.setErr(old);
        }
    }

    /** The planner's parameter count equals the tensors the engine loads, for every preset. */
    @Test
    void plannerCountsTheEnginesWeights(@TempDir Path tmp) throws Exception {
        for (String preset : List.of("tiny", "quickstart", "small")) {
            LlavaConfig c = LlavaConfig.preset(preset);
            c.write(tmp.resolve(preset + ".json"));
            long engine = WeightNames.expectedShapes(c).values().stream()
                    .mapToLong(s -> java.util.Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
            ModelShape shape = ModelShape.parse(Files.readString(tmp.resolve(preset + ".json")), preset);
            assertEquals(engine, shape.totalParams(), preset);
        }
    }
}
