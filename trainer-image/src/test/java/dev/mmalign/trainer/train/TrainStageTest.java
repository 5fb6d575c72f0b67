package dev.mmalign.trainer.train;

import dev.mmalign.trainer.stage.EnginePolicyModelLoader;
import dev.mmalign.trainer.stage.GenerationSettings;
import dev.mmalign.trainer.stage.PolicyModel;
import dev.mmalign.trainer.stage.StageFixture;
import dev.mmalign.trainer.stage.StageRunner;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.DpoSpec;
import dev.mmalign.api.run.LoraSpec;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.run.TrainingSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.api.stage.ArtifactLayout;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.ModelFingerprint;
import dev.mmalign.trainer.synthetic.Scene;
import dev.mmalign.trainer.synthetic.SceneObject;
import dev.mmalign.trainer.synthetic.SceneRenderer;
import dev.mmalign.trainer.synthetic.Shape;
import dev.mmalign.trainer.synthetic.ShapeColor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The train stage on the engine's tiny preset: spec → engine config, outputs, resume, stop, bad input. */
class TrainStageTest {

    @TempDir
    Path root;
    StageFixture fx;
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void world() throws Exception {
        fx = new StageFixture(root);
        fx.writeTinyModel("models/base", 5);
        new SceneRenderer(32).write(new Scene("s", List.of(new SceneObject(Shape.values()[0], ShapeColor.values()[0],
                0, 0))), root.resolve("images/s.png"));
        List<DpoPairRecord> pairs = new ArrayList<>();
        List<SftExampleRecord> sft = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            List<String> images = i % 2 == 0 ? List.of("s.png") : List.of();
            pairs.add(new DpoPairRecord("p" + i, images, "Is there a circle? " + i, "Yes.", "No.", 8.0, 2.0, null, null));
            sft.add(new SftExampleRecord("e" + i, images, "What is " + i + " plus 1?", (i + 1) + "."));
        }
        fx.writeJsonl("sets/dpo.jsonl", pairs);
        fx.writeJsonl("sets/sft.jsonl", sft);
    }

    private StageSpec spec(Method method, String dataset) {
        StageSpec spec = fx.spec(StageName.train, "runs/r");
        spec.paths.checkpointDir = "runs/r/checkpoints";
        spec.paths.inputs.put("model", "models/base");
        spec.paths.inputs.put("dataset", dataset);
        spec.paths.inputs.put("imageRoot", "images");
        spec.run = new AlignmentRunSpec();
        spec.run.method = method;
        spec.run.dataset = new DatasetRef();
        spec.run.dataset.path = dataset;
        spec.run.lora = new LoraSpec();
        spec.run.lora.rank = 4;
        spec.run.lora.alpha = 8.0;
        spec.run.training = new TrainingSpec();
        spec.run.training.epochs = 2;
        spec.run.training.perDeviceBatchSize = 2;
        spec.run.training.gradientAccumulationSteps = 1;
        spec.run.training.learningRate = 1e-3;
        spec.run.training.checkpointEverySteps = 100;
        if (method == Method.DPO) spec.run.dpo = new DpoSpec();
        return spec;
    }

    private int run(StageSpec spec) throws Exception {
        TrainingDefaults.resolve(spec.run); // the operator's part (RunPlan): the trainer reads resolved values only
        return fx.run(spec, new TrainStage(new PrintStream(log, true)));
    }

    /** Pairs whose stored reference log-probs the given model computed (null: unstamped, as older files). */
    private void writeStampedPairs(DpoPairRecord.ReferenceModel stamp, boolean halfUnstamped) throws Exception {
        List<DpoPairRecord> pairs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            List<String> images = i % 2 == 0 ? List.of("s.png") : List.of();
            pairs.add(new DpoPairRecord("p" + i, images, "Is there a circle? " + i, "Yes.", "No.", 8.0, 2.0,
                    -3.0 - i, -4.0 - i, halfUnstamped && i % 2 == 1 ? null : stamp));
        }
        fx.writeJsonl("sets/stamped.jsonl", pairs);
    }

    @Test
    void dpoRefusesReferenceLogProbsComputedByAnotherModelNamingBoth() throws Exception {
        writeStampedPairs(new DpoPairRecord.ReferenceModel("models/other", "0".repeat(64)), false);
        StageSpec spec = spec(Method.DPO, "sets/stamped.jsonl");
        assertEquals(ExitCodes.INVALID_INPUT, run(spec), fx.stderrText());
        String message = fx.result(spec).message;
        String ours = ModelFingerprint.of(root.resolve("models/base"), null);
        assertTrue(message.startsWith(root.resolve("sets/stamped.jsonl") + ": pair p0: "), message);
        assertTrue(message.contains("models/other (sha256 " + "0".repeat(64) + ")"), message);
        assertTrue(message.contains(root.resolve("models/base") + " (sha256 " + ours + ")"), message);
    }

    /**
     * Guards pairs stamped by this run's own reference (used as stored), unstamped ones (used, with a warning), and
     * the merged export carrying the base's tokenizer and processor files, but never a file a link points to.
     */
    @Test
    void dpoUsesPairsOfItsOwnReferenceWarnsOnUnstampedOnesAndExportsTheProcessorFiles() throws Exception {
        Path base = root.resolve("models/base");
        writeStampedPairs(new DpoPairRecord.ReferenceModel("elsewhere/base", ModelFingerprint.of(base, null)), true);
        Files.writeString(base.resolve("tokenizer_config.json"), "{\"model_max_length\": 512}");
        Files.writeString(base.resolve("special_tokens_map.json"), "{\"bos_token\": \"<s>\"}");
        Files.writeString(base.resolve("preprocessor_config.json"), "{\"image_processor_type\": \"CLIPImageProcessor\","
                + " \"crop_size\": {\"height\": 16, \"width\": 16}, \"size\": {\"shortest_edge\": 16}, \"resample\": 3}");
        Path secret = Files.writeString(root.resolve("secret.txt"), "not for the export");
        Files.createSymbolicLink(base.resolve("generation_config.json"), secret);
        StageSpec spec = spec(Method.DPO, "sets/stamped.jsonl");
        assertEquals(0, run(spec), fx.stderrText());
        assertTrue(log.toString().contains("WARNING: 4 of 8 pairs carry reference log-probs without a referenceModel"
                + " stamp"), log.toString());
        assertEquals(0L, fx.result(spec).counts.get("referenceRecomputed"));
        Path merged = root.resolve("runs/r/merged");
        for (String f : List.of("tokenizer_config.json", "special_tokens_map.json", "preprocessor_config.json")) {
            assertEquals(Files.readString(base.resolve(f)), Files.readString(merged.resolve(f)), f);
        }
        assertFalse(Files.exists(merged.resolve("generation_config.json"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    /**
     * Guards the DPO path: reference log-probs computed before training, TRL metrics in the result, the PEFT adapter
     * and the merged model written, progress with step/total/epoch, and precision fp16 (frozen weights stored in fp16)
     * said in the log.
     */
    @Test
    void dpoWritesAdapterMergedModelMetricsAndProgress() throws Exception {
        StageSpec spec = spec(Method.DPO, "sets/dpo.jsonl");
        spec.run.training.precision = Precision.fp16;
        assertEquals(0, run(spec), fx.stderrText());

        StageResult r = fx.result(spec);
        assertEquals(8L, r.counts.get("steps"), "8 pairs / batch 2 × 2 epochs");
        assertEquals(8L, r.counts.get("examples"));
        for (String key : List.of("loss", "rewards/chosen", "rewards/rejected", "rewards/accuracies",
                "rewards/margins", "learning_rate", "grad_norm", "train_loss")) {
            assertNotNull(r.metrics.get(key), key);
        }
        assertEquals("runs/r/adapter", r.artifacts.get("adapter"));
        assertEquals("runs/r/merged", r.artifacts.get("merged"));
        assertTrue(Files.exists(root.resolve("runs/r/adapter/adapter_config.json")));
        assertTrue(Files.exists(root.resolve("runs/r/adapter/adapter_model.safetensors")));
        assertTrue(Files.exists(root.resolve("runs/r/merged/config.json")));
        assertTrue(Files.exists(root.resolve("runs/r/checkpoints/" + TrainStage.REFERENCE_FILE)),
                "reference log-probs cached for a resumed attempt");
        assertTrue(log.toString().contains("precision fp16: frozen weights stored in fp16"), log.toString());
        List<Map<String, Object>> steps = metricsLog(root.resolve("runs/r/" + ArtifactLayout.METRICS_LOG));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), steps.stream().map(l -> l.get("step")).toList(),
                "one metrics line per step");
        for (String key : List.of("loss", "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected",
                "learning_rate", "grad_norm")) {
            assertTrue(steps.get(7).get(key) instanceof Number, key + " in " + steps.get(7));
        }
        assertEquals(r.metrics.get("loss"), ((Number) steps.get(7).get("loss")).doubleValue(), 1e-12,
                "the last line is the step the result reports");
        List<String> progress = Files.readAllLines(root.resolve("progress-train.jsonl"));
        String last = progress.get(progress.size() - 1);
        assertTrue(last.contains("\"current\":8") && last.contains("\"total\":8") && last.contains("\"epoch\":2.0")
                && last.contains("\"percent\":100.0"), last);
        try (PolicyModel merged = new EnginePolicyModelLoader().load(root.resolve("runs/r/merged"), null)) {
            assertEquals(1, merged.generate(null, "Hi", GenerationSettings.greedy(4)).size(),
                    "the merged model loads and runs");
        }
    }

    /** Guards idempotence: a finished run is not trained again and returns the same result. */
    @Test
    void rerunOfAFinishedRunTrainsNothing() throws Exception {
        StageSpec spec = spec(Method.SFT, "sets/sft.jsonl");
        assertEquals(0, run(spec), fx.stderrText());
        StageResult first = fx.result(spec);
        assertEquals(0, run(spec), fx.stderrText());
        assertTrue(log.toString().contains("nothing to do"));
        assertEquals(first.metrics, fx.result(spec).metrics);
    }

    /** Guards dataFraction: the nested subset of the sets package (ceil(f·n) examples). */
    @Test
    void dataFractionKeepsASubset() throws Exception {
        StageSpec spec = spec(Method.SFT, "sets/sft.jsonl");
        spec.run.dataFraction = 0.25;
        assertEquals(0, run(spec), fx.stderrText());
        assertEquals(2L, fx.result(spec).counts.get("examples"));
    }

    /**
     * Guards SIGTERM handling: a stop request saves a checkpoint and ends with the retryable exit code; the rerun
     * resumes from that checkpoint (it trains only the remaining steps) and finishes.
     */
    @Test
    void stopCheckpointsAndTheRerunResumes() throws Exception {
        StageSpec spec = spec(Method.SFT, "sets/sft.jsonl");
        spec.run.lora.enabled = false;
        fx.stop.request();
        assertEquals(ExitCodes.INTERRUPTED, run(spec), fx.stderrText());
        StageResult stopped = fx.result(spec);
        assertEquals(StageResult.Outcome.interrupted, stopped.outcome);
        assertEquals(1L, stopped.counts.get("steps"));
        assertEquals(0L, stopped.counts.get("resumedFromStep"));
        assertTrue(Files.exists(root.resolve("runs/r/checkpoints/checkpoints/checkpoint-1/trainer_state.json")));
        assertEquals("runs/r/checkpoints/checkpoints/checkpoint-1", stopped.artifacts.get("checkpoint"),
                "the checkpoint a retry starts from, for status.latestCheckpoint");
        assertEquals(1L, stopped.counts.get("checkpointStep"));
        assertFalse(Files.exists(root.resolve("runs/r/merged")));

        Path metrics = root.resolve("runs/r/" + ArtifactLayout.METRICS_LOG);
        assertEquals(List.of(1), metricsLog(metrics).stream().map(l -> l.get("step")).toList());
        // As if the stopped attempt had logged steps past its checkpoint and died mid-line: the rerun redoes them.
        Files.writeString(metrics, "{\"step\":2,\"loss\":9.0}\n{\"step\":3,\"lo", StandardOpenOption.APPEND);

        StageFixture again = new StageFixture(root);
        assertEquals(0, again.run(spec, new TrainStage(new PrintStream(log, true))), again.stderrText());
        StageResult done = again.result(spec);
        assertEquals(8L, done.counts.get("steps"));
        assertEquals(7L, done.counts.get("stepsThisAttempt"), "resumed after step 1");
        assertEquals(1L, done.counts.get("resumedFromStep"));
        assertTrue(Files.exists(root.resolve("runs/r/merged/config.json")), "full fine-tuning: merged model only");
        assertFalse(done.artifacts.containsKey("adapter"));
        List<Map<String, Object>> lines = metricsLog(metrics);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), lines.stream().map(l -> l.get("step")).toList(),
                "every step once after the resume, the stale and torn lines gone");
        assertNotEquals(9.0, lines.get(1).get("loss"), "step 2 is the resumed attempt's, not the stale line");
        double meanOfAllSteps = lines.stream().mapToDouble(l -> ((Number) l.get("loss")).doubleValue()).average()
                .orElseThrow();
        assertEquals(meanOfAllSteps, done.metrics.get("train_loss"), 1e-6,
                "train_loss is the whole run's, the stopped attempt's step included, as an uninterrupted run's");
    }

    private static List<Map<String, Object>> metricsLog(Path file) throws IOException {
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(Json.MAPPER.readValue(line, new TypeReference<Map<String, Object>>() {}));
        }
        return lines;
    }

    /**
     * Guards spec.dpo.precomputeReferenceLogProbs=false with LoRA: the run trains with the reference computed each step
     * (no reference pass before training, so no cached reference file) and says so.
     */
    @Test
    void dpoWithoutPrecomputedReferenceComputesItDuringTraining() throws Exception {
        StageSpec spec = spec(Method.DPO, "sets/dpo.jsonl");
        spec.run.dpo.precomputeReferenceLogProbs = false;
        assertEquals(0, run(spec), fx.stderrText());
        assertFalse(Files.exists(root.resolve("runs/r/checkpoints/" + TrainStage.REFERENCE_FILE)));
        assertTrue(log.toString().contains("reference log-probs computed every step"), log.toString());
        assertNotNull(fx.result(spec).metrics.get("rewards/margins"));
    }

    /**
     * Guards the combination with no reference to fall back on: full fine-tuning keeps no frozen copy, so
     * precomputeReferenceLogProbs=false is exit code 2 naming the field, before any weight is loaded.
     */
    /**
     * Guards that the trainer adds no default of its own: a stage spec that did not go through the operator's
     * resolver (a value left null) is exit code 2 naming the field, before any weight is loaded.
     */
    @Test
    void anUnresolvedTrainingValueIsInvalidInputNamingTheField() throws Exception {
        StageSpec spec = spec(Method.DPO, "sets/dpo.jsonl");
        TrainingDefaults.resolve(spec.run);
        spec.run.training.maxLength = null; // no schema default: only the resolver fills it (876 for DPO)
        assertEquals(2, fx.run(spec, new TrainStage(new PrintStream(log, true))), fx.stderrText());
        String message = fx.result(spec).message;
        assertTrue(message.contains("run.training.maxLength is not set"), message);
    }

    /**
     * Guards that bf16, which the engine cannot honour (DJL 0.36 has no bfloat16), is refused with exit code 2 naming
     * spec.training.precision before any weight is loaded, never trained as something else or crashed on.
     */
    @Test
    void bf16IsInvalidInputNamingTheField() throws Exception {
        StageSpec spec = spec(Method.DPO, "sets/dpo.jsonl");
        spec.run.training.precision = Precision.bf16;
        assertEquals(2, run(spec), fx.stderrText());
        String message = fx.result(spec).message;
        assertTrue(message.contains("spec.training.precision") && message.contains("bf16"), message);
        assertFalse(Files.exists(root.resolve("runs/r/checkpoints")), "nothing trained");
    }

    @Test
    void dpoWithoutPrecomputedReferenceAndFullFineTuningIsInvalidInput() throws Exception {
        StageSpec spec = spec(Method.DPO, "sets/dpo.jsonl");
        spec.run.dpo.precomputeReferenceLogProbs = false;
        spec.run.lora.enabled = false;
        assertEquals(2, run(spec));
        String message = fx.result(spec).message;
        assertTrue(message.contains("spec.dpo.precomputeReferenceLogProbs=false") && message.contains("need LoRA"),
                message);
    }

    /**
     * Guards stored reference values (the build stage's: summed over whole responses): used as they are when the run
     * scores whole responses the same way, computed again when maxLength cuts a response (they would then compare
     * log-probs of different texts) or when the run averages log-probs.
     */
    @Test
    void storedReferenceIsUsedOnlyWhereItMatchesTheRunsScoring() throws Exception {
        List<DpoPairRecord> stored = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stored.add(new DpoPairRecord("p" + i, List.of(), "Is there a circle? " + i,
                    i < 2 ? "Yes." : "Yes, there is one circle in the middle of the image.", "No.", 8.0, 2.0, -5.0, -6.0));
        }
        fx.writeJsonl("sets/stored.jsonl", stored);
        StageSpec spec = spec(Method.DPO, "sets/stored.jsonl");
        assertEquals(0, run(spec), fx.stderrText());
        assertEquals(0L, fx.result(spec).counts.get("referenceRecomputed"), "nothing cut at the DPO default 300");
        assertFalse(Files.exists(root.resolve("runs/r/checkpoints/" + TrainStage.REFERENCE_FILE)));

        AtomicFiles.deleteTree(root.resolve("runs"));
        // "USER: Is there a circle? 0 ASSISTANT:" is 38 positions with BOS; 45 fits " Yes." + EOS but not the long one.
        spec.run.training.maxLength = 45;
        assertEquals(0, run(spec), fx.stderrText());
        assertEquals(2L, fx.result(spec).counts.get("referenceRecomputed"), "the two pairs whose chosen is cut");
        assertTrue(Files.exists(root.resolve("runs/r/checkpoints/" + TrainStage.REFERENCE_FILE)));

        AtomicFiles.deleteTree(root.resolve("runs"));
        spec.run.training.maxLength = null;
        spec.run.dpo.averageLogProbs = true;
        assertEquals(0, run(spec), fx.stderrText());
        assertEquals(4L, fx.result(spec).counts.get("referenceRecomputed"), "sums are no averages");
    }

    /** Guards bad input: an SFT file given to a DPO run fails with exit code 2 naming the file and line. */
    @Test
    void wrongSetForTheMethodIsInvalidInput() throws Exception {
        StageSpec spec = spec(Method.DPO, "sets/sft.jsonl");
        assertEquals(2, run(spec));
        String message = fx.result(spec).message;
        assertTrue(message.contains("sft.jsonl:1:"), message);
    }

    // ---- bad and empty training sets: exit 2 naming file:line, nothing lost ----

    @Test
    void aCorruptLineInTheTrainingSetIsInvalidInputNamingFileAndLine() throws Exception {
        Path set = root.resolve("sets/dpo.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(set));
        lines.add(3, "{\"id\": \"p9\", \"prompt\": ");
        Files.write(set, lines);
        StageSpec spec = spec(Method.DPO, "sets/dpo.jsonl");
        assertEquals(2, run(spec));
        assertTrue(fx.result(spec).message.contains("dpo.jsonl:4"), fx.result(spec).message);
    }

    @Test
    void anSftExampleWithoutACompletionIsInvalidInputNamingFileAndLine() throws Exception {
        Path set = root.resolve("sets/sft.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(set));
        lines.add(1, "{\"id\":\"e9\",\"images\":[],\"prompt\":\"What?\"}");
        Files.write(set, lines);
        StageSpec spec = spec(Method.SFT, "sets/sft.jsonl");
        assertEquals(2, run(spec));
        assertTrue(fx.result(spec).message.contains("sft.jsonl:2"), fx.result(spec).message);
    }

    /** Guards "empty inputs are an error": an empty set must not train nothing and report success. */
    @Test
    void anEmptyTrainingSetIsInvalidInput() throws Exception {
        Files.writeString(root.resolve("sets/dpo.jsonl"), "");
        StageSpec spec = spec(Method.DPO, "sets/dpo.jsonl");
        assertEquals(2, run(spec));
        assertTrue(fx.result(spec).message.contains("dpo.jsonl"), fx.result(spec).message);
        assertFalse(Files.exists(root.resolve("runs/r/adapter/adapter_config.json")), "no adapter from no data");
    }
}
