package dev.mmalign.trainer.quickstart;

import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.DpoSpec;
import dev.mmalign.api.run.LoraSpec;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingDefaults;
import dev.mmalign.api.run.TrainingSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.stage.StageFixture;
import dev.mmalign.trainer.synthetic.Scene;
import dev.mmalign.trainer.synthetic.SceneObject;
import dev.mmalign.trainer.synthetic.SceneRenderer;
import dev.mmalign.trainer.synthetic.Shape;
import dev.mmalign.trainer.synthetic.ShapeColor;
import dev.mmalign.trainer.train.TrainStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards running the quickstart's independent trainings at once: two tiny LoRA runs with dropout (so both reseed
 * libtorch's one generator at every layer, one with activation checkpointing, which redraws its masks in the
 * recomputation) trained on two threads at the same time give the same bits as each trained alone.
 */
class ConcurrentStagesTest {

    @TempDir
    Path serialRoot;
    @TempDir
    Path concurrentRoot;

    /** Names of the two runs, each with its method and set. */
    private static final List<String> RUNS = List.of("dpo", "sft");

    @Test
    void twoTrainingsAtOnceMatchEachTrainedAloneBitForBit() throws Exception {
        StageFixture serial = world(serialRoot);
        for (String run : RUNS) {
            assertEquals(0, train(serial, run), serial.stderrText());
        }

        StageFixture concurrent = world(concurrentRoot);
        CountDownLatch bothStarted = new CountDownLatch(RUNS.size());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<ConcurrentStages.Job> jobs = new ArrayList<>();
        for (String run : RUNS) {
            jobs.add(new ConcurrentStages.Job(run, () -> {
                // Neither training starts before the other's thread is there: they run at the same time.
                bothStarted.countDown();
                try {
                    bothStarted.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                int code = train(concurrent, run);
                if (code != 0) throw new IllegalStateException(run + " exited " + code + ": " + concurrent.stderrText());
                return "trained " + run;
            }));
        }
        new ConcurrentStages(new PrintStream(printed, true, StandardCharsets.UTF_8), 2).run(jobs);

        String lines = printed.toString(StandardCharsets.UTF_8);
        assertTrue(lines.contains("trained dpo (beside sft)") && lines.contains("trained sft (beside dpo)"), lines);
        for (String run : RUNS) {
            Path a = serialRoot.resolve("runs/" + run);
            Path b = concurrentRoot.resolve("runs/" + run);
            assertEquals(column(a, "loss"), column(b, "loss"), run + ": every step's loss, bit for bit");
            assertEquals(column(a, "grad_norm"), column(b, "grad_norm"), run + ": every step's gradient norm");
            assertEquals(-1L, Files.mismatch(a.resolve("adapter/adapter_model.safetensors"),
                    b.resolve("adapter/adapter_model.safetensors")), run + ": the trained adapter's bytes");
        }
    }

    /** Guards the failure path: the first failure is thrown once every stage has ended, and nothing more starts. */
    @Test
    void aFailureIsThrownAfterTheOthersEndAndStopsLaterStages() {
        List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
        List<ConcurrentStages.Job> serialJobs = List.of(
                new ConcurrentStages.Job("a", () -> {
                    throw new IOException("a failed");
                }),
                new ConcurrentStages.Job("b", () -> {
                    ran.add("b");
                    return "b";
                }));
        ConcurrentStages one = new ConcurrentStages(new PrintStream(new ByteArrayOutputStream()), 1);
        IOException e = assertThrows(IOException.class, () -> one.run(serialJobs));
        assertEquals("a failed", e.getMessage());
        assertEquals(List.of(), ran, "serially, a stage after a failed one does not start");

        CountDownLatch bStarted = new CountDownLatch(1);
        List<ConcurrentStages.Job> jobs = List.of(
                new ConcurrentStages.Job("a", () -> {
                    try {
                        bStarted.await(); // two at a time: "a" fails only once "b" runs beside it
                    } catch (InterruptedException ie) {
                        throw new IllegalStateException(ie);
                    }
                    throw new IOException("a failed");
                }),
                new ConcurrentStages.Job("b", () -> {
                    ran.add("b");
                    bStarted.countDown();
                    return "b";
                }),
                new ConcurrentStages.Job("c", () -> {
                    ran.add("c");
                    return "c";
                }));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ConcurrentStages two = new ConcurrentStages(new PrintStream(printed, true, StandardCharsets.UTF_8), 2);
        IOException both = assertThrows(IOException.class, () -> two.run(jobs));
        assertEquals("a failed", both.getMessage());
        assertTrue(ran.contains("b"), "a stage running beside the failed one ends as it does: " + ran);
        assertTrue(printed.toString(StandardCharsets.UTF_8).startsWith("b"), printed.toString());
    }

    private static StageFixture world(Path root) throws IOException {
        StageFixture fx = new StageFixture(root);
        fx.writeTinyModel("models/base", 5);
        new SceneRenderer(32).write(new Scene("s", List.of(new SceneObject(Shape.values()[0],
                ShapeColor.values()[0], 0, 0))), root.resolve("images/s.png"));
        List<DpoPairRecord> pairs = new ArrayList<>();
        List<SftExampleRecord> sft = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            List<String> images = i % 2 == 0 ? List.of("s.png") : List.of();
            pairs.add(new DpoPairRecord("p" + i, images, "Is there a circle? " + i, "Yes.", "No.", 8.0, 2.0, null,
                    null));
            sft.add(new SftExampleRecord("e" + i, images, "What is " + i + " plus 1?", (i + 1) + "."));
        }
        fx.writeJsonl("sets/dpo.jsonl", pairs);
        fx.writeJsonl("sets/sft.jsonl", sft);
        return fx;
    }

    /** Trains run "dpo" (DPO, activation checkpointing) or "sft" (SFT, none), LoRA with dropout, 8 steps. */
    private static int train(StageFixture fx, String run) throws IOException {
        boolean dpo = run.equals("dpo");
        StageSpec spec = fx.spec(StageName.train, "runs/" + run);
        spec.paths.checkpointDir = "runs/" + run + "/checkpoints";
        String dataset = dpo ? "sets/dpo.jsonl" : "sets/sft.jsonl";
        spec.paths.inputs.put("model", "models/base");
        spec.paths.inputs.put("dataset", dataset);
        spec.paths.inputs.put("imageRoot", "images");
        spec.run = new AlignmentRunSpec();
        spec.run.method = dpo ? Method.DPO : Method.SFT;
        spec.run.dataset = new DatasetRef();
        spec.run.dataset.path = dataset;
        spec.run.lora = new LoraSpec();
        spec.run.lora.rank = 4;
        spec.run.lora.alpha = 8.0;
        spec.run.lora.dropout = 0.1;
        spec.run.training = new TrainingSpec();
        spec.run.training.epochs = 2;
        spec.run.training.perDeviceBatchSize = 2;
        spec.run.training.gradientAccumulationSteps = 1;
        spec.run.training.learningRate = 1e-3;
        spec.run.training.checkpointEverySteps = 100;
        spec.run.training.activationCheckpointing = dpo;
        if (dpo) spec.run.dpo = new DpoSpec();
        TrainingDefaults.resolve(spec.run);
        // One spec file per run: the two threads must not write the same file.
        Path file = fx.write(spec, "stage-train-" + run + ".json");
        return fx.run(StageName.train, file, new TrainStage(new PrintStream(new ByteArrayOutputStream(), true)));
    }

    /** One metric of every step of the run's metrics log, as the exact text the trainer wrote. */
    private static List<String> column(Path runDir, String key) throws IOException {
        List<String> values = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve(ArtifactLayout.METRICS_LOG))) {
            var node = dev.mmalign.trainer.data.Json.MAPPER.readTree(line);
            values.add(node.get("step").asText() + ":" + node.get(key).asText());
        }
        assertEquals(8, values.size(), "8 steps logged in " + runDir);
        return values;
    }
}
