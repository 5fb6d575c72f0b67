package dev.mmalign.trainer.sample;

import dev.mmalign.trainer.stage.FakePolicyModel;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageFixture;
import dev.mmalign.trainer.stage.StageRunner;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.Shard;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.DatasetReader;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the sample stage: sharding, resume after a crash without loss or duplicates, reproducibility, bad input. */
class SampleStageTest {

    @TempDir
    Path root;
    StageFixture fx;
    FakePolicyModel model;

    @BeforeEach
    void setUp() throws Exception {
        fx = new StageFixture(root);
        model = new FakePolicyModel();
        Files.createDirectories(root.resolve("images"));
        List<PromptRecord> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            dev.mmalign.trainer.data.TestImages.png(root.resolve("images/img" + i + ".png"));
            prompts.add(new PromptRecord("p" + i, "img" + i + ".png", "question " + i, "gold " + i, null, null));
        }
        prompts.add(new PromptRecord("t0", null, "text only question", null, null, null));
        fx.writeJsonl("in/prompts.jsonl", prompts);
    }

    private StageSpec spec(int shard, int shards) {
        StageSpec spec = fx.spec(StageName.sample, "ds/completions");
        spec.shard = new Shard(shard, shards);
        spec.prompts = new PromptsSpec();
        spec.prompts.path = "in/prompts.jsonl";
        spec.sampling = new SamplingSpec();
        spec.sampling.model = ModelSource.ofPath("models/base");
        spec.sampling.completionsPerPrompt = 3;
        spec.paths.inputs.put("prompts", "ds/prompts.jsonl");
        return spec;
    }

    private Map<String, List<CompletionRecord>> completions() {
        return DatasetReader.completions(root.resolve("ds/completions"),
                DatasetReader.prompts(root.resolve("ds/prompts.jsonl")));
    }

    @Test
    void shardsSplitThePromptsWithoutOverlapAndTogetherCoverAll() throws Exception {
        assertEquals(0, fx.run(spec(0, 2), new SampleStage(model.loader())));
        assertEquals(0, fx.run(spec(1, 2), new SampleStage(model.loader())));
        Set<String> seen = new HashSet<>();
        for (int s = 0; s < 2; s++) {
            Path file = root.resolve(String.format("ds/completions/completions-%05d-of-00002.jsonl", s));
            for (CompletionRecord c : JsonlReader.readAll(file, CompletionRecord.class, null)) {
                assertTrue(seen.add(c.completionId()), "duplicate " + c.completionId());
            }
        }
        assertEquals(7 * 3, seen.size());
        assertEquals(7, completions().size());
        assertEquals(7, DatasetReader.prompts(root.resolve("ds/prompts.jsonl")).size());
    }

    @Test
    void imagesArePassedAndTextOnlyPromptsGetNone() throws Exception {
        assertEquals(0, fx.run(spec(0, 1), new SampleStage(model.loader())));
        assertTrue(model.imagesSeen.contains(root.resolve("images/img0.png")));
        assertTrue(model.imagesSeen.contains(null));
    }

    @Test
    void rerunAfterCrashRecreatesOnlyWhatIsMissingAndDuplicatesNothing() throws Exception {
        assertEquals(0, fx.run(spec(0, 1), new SampleStage(model.loader())));
        Path file = root.resolve("ds/completions/completions-00000-of-00001.jsonl");
        List<String> lines = Files.readAllLines(file);
        Map<String, List<CompletionRecord>> first = completions();
        // Crash simulation: the last prompt's group lost its last line, and the line before is torn in half.
        List<String> kept = new ArrayList<>(lines.subList(0, lines.size() - 2));
        String torn = lines.get(lines.size() - 2).substring(0, 20);
        Files.writeString(file, String.join("\n", kept) + "\n" + torn);

        FakePolicyModel again = new FakePolicyModel();
        assertEquals(0, fx.run(spec(0, 1), new SampleStage(again.loader())));
        assertEquals(1, again.generateCalls.get(), "only the damaged prompt is sampled again");
        assertEquals(lines.size(), Files.readAllLines(file).size());
        assertEquals(first, completions(), "the rerun reproduces exactly the same completions");
        assertEquals(2L, fx.result(spec(0, 1)).counts.get("completionsThisRun"));
    }

    @Test
    void completeRerunDoesNoWork() throws Exception {
        assertEquals(0, fx.run(spec(0, 1), new SampleStage(model.loader())));
        FakePolicyModel again = new FakePolicyModel();
        assertEquals(0, fx.run(spec(0, 1), new SampleStage(again.loader())));
        assertEquals(0, again.generateCalls.get());
        assertEquals(7L, fx.result(spec(0, 1)).counts.get("skippedAlreadyDone"));
    }

    @Test
    void stopRequestEndsAfterTheUnitInHandAndTheRerunFinishes() throws Exception {
        fx.stop.request();
        assertEquals(ExitCodes.INTERRUPTED, fx.run(spec(0, 1), new SampleStage(model.loader())));
        Path shard = root.resolve("ds/completions/completions-00000-of-00001.jsonl");
        assertTrue(!Files.exists(shard) || Files.readString(shard).isBlank(), "nothing sampled");
        StageFixture fresh = new StageFixture(root);
        assertEquals(0, fresh.run(spec(0, 1), new SampleStage(model.loader())));
        assertEquals(7, completions().size());
    }

    @Test
    void missingImageIsInvalidInputNamingFileAndLine() throws Exception {
        Files.delete(root.resolve("images/img4.png"));
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(0, 1), new SampleStage(model.loader())));
        String message = fx.result(spec(0, 1)).message;
        assertTrue(message.startsWith(root.resolve("in/prompts.jsonl") + ":5: image 'img4.png' of prompt p4 not found"),
                message);
        assertEquals(0, model.generateCalls.get());
    }

    @Test
    void badPromptLineIsInvalidInputNamingFileAndLine() throws Exception {
        Path prompts = root.resolve("in/prompts.jsonl");
        Files.writeString(prompts, Files.readString(prompts) + "{not json}\n");
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec(0, 1), new SampleStage(model.loader())));
        assertTrue(fx.result(spec(0, 1)).message.startsWith(prompts + ":8: "));
    }

    @Test
    void limitTakesTheSameSeededSubsetEveryTime() throws Exception {
        StageSpec spec = spec(0, 1);
        spec.prompts.limit = 3;
        assertEquals(0, fx.run(spec, new SampleStage(model.loader())));
        Set<String> first = DatasetReader.prompts(root.resolve("ds/prompts.jsonl")).keySet();
        assertEquals(3, first.size());
        assertEquals(0, fx.run(spec, new SampleStage(model.loader())));
        assertEquals(first, DatasetReader.prompts(root.resolve("ds/prompts.jsonl")).keySet());
    }

    @Test
    void sourceMixAppliesPerSourceLimitsNamesSourcesAndRelocatesImages() throws Exception {
        Files.createDirectories(root.resolve("other/imgs"));
        dev.mmalign.trainer.data.TestImages.png(root.resolve("other/imgs/x.png"));
        fx.writeJsonl("other/prompts.jsonl", List.of(
                new PromptRecord("o1", "x.png", "other q", null, null, null),
                new PromptRecord("o2", null, "other text q", null, null, null)));
        StageSpec spec = spec(0, 1);
        spec.prompts.path = null;
        dev.mmalign.api.dataset.PromptSource lrv = new dev.mmalign.api.dataset.PromptSource();
        lrv.name = "lrv";
        lrv.path = "in/prompts.jsonl";
        lrv.limit = 4;
        dev.mmalign.api.dataset.PromptSource sci = new dev.mmalign.api.dataset.PromptSource();
        sci.name = "sci";
        sci.path = "other/prompts.jsonl";
        sci.imageRoot = "other/imgs";
        spec.prompts.sources = List.of(lrv, sci);
        assertEquals(0, fx.run(spec, new SampleStage(model.loader())));
        Map<String, JsonlReader.Line<PromptRecord>> selected = DatasetReader.prompts(root.resolve("ds/prompts.jsonl"));
        assertEquals(6, selected.size());
        assertEquals(4, selected.values().stream().filter(l -> "lrv".equals(l.value().source())).count());
        PromptRecord o1 = selected.get("o1").value();
        assertEquals("sci", o1.source());
        assertEquals(root.resolve("other/imgs/x.png"), root.resolve("images").resolve(o1.image()).normalize(),
                "the image path is rewritten relative to the dataset's image root");
        assertTrue(model.imagesSeen.contains(root.resolve("other/imgs/x.png")));
    }

    /**
     * Guards sampling.batchSize: prompts reach the model batchSize at a time (7 prompts at 3: 3, 3, 1), and batching
     * changes nothing in what is written (same records, same order as one prompt at a time).
     */
    @Test
    void promptsAreSampledInBatchesOfBatchSizeWithTheSameResult() throws Exception {
        StageSpec one = spec(0, 1);
        one.sampling.batchSize = 1;
        one.paths.outputDir = "ds/one-by-one";
        assertEquals(0, fx.run(one, new SampleStage(model.loader())));
        assertEquals(List.of(1, 1, 1, 1, 1, 1, 1), model.batchSizes);

        FakePolicyModel batched = new FakePolicyModel();
        StageSpec three = spec(0, 1);
        three.sampling.batchSize = 3;
        assertEquals(0, fx.run(three, new SampleStage(batched.loader())));
        assertEquals(List.of(3, 3, 1), batched.batchSizes);
        assertEquals(Files.readString(root.resolve("ds/one-by-one/completions-00000-of-00001.jsonl")),
                Files.readString(root.resolve("ds/completions/completions-00000-of-00001.jsonl")));
    }

    /**
     * Guards resumability with batches: a crash while generating the second batch leaves the first batch whole and
     * nothing of the second; the rerun generates only the four prompts left and ends with the complete, unduplicated
     * file that an uninterrupted run writes.
     */
    @Test
    void aCrashInsideABatchLeavesWholeBatchesAndTheRerunCompletesThem() throws Exception {
        StageSpec spec = spec(0, 1);
        spec.sampling.batchSize = 3;
        FakePolicyModel crashing = new FakePolicyModel() {
            @Override
            public List<List<String>> generateAll(List<Request> requests) {
                if (batchSizes.size() == 1) throw new IllegalStateException("simulated crash in batch 2");
                return super.generateAll(requests);
            }
        };
        assertEquals(1, fx.run(spec, new SampleStage(crashing.loader())), "a crash is retryable");
        Path file = root.resolve("ds/completions/completions-00000-of-00001.jsonl");
        assertEquals(3 * 3, Files.readAllLines(file).size(), "the first batch only, whole");

        FakePolicyModel again = new FakePolicyModel();
        assertEquals(0, fx.run(spec, new SampleStage(again.loader())));
        assertEquals(List.of(3, 1), again.batchSizes, "only the four prompts without completions are sampled");
        assertEquals(3L, fx.result(spec).counts.get("skippedAlreadyDone"));

        StageSpec whole = spec(0, 1);
        whole.paths.outputDir = "ds/uninterrupted";
        assertEquals(0, fx.run(whole, new SampleStage(new FakePolicyModel().loader())));
        assertEquals(Files.readString(root.resolve("ds/uninterrupted/completions-00000-of-00001.jsonl")),
                Files.readString(file));
    }

    @Test
    void modelLoaderFailureIsRetryable() throws Exception {
        assertEquals(1, fx.run(spec(0, 1), new SampleStage(PolicyModelLoader.unavailable())));
        assertNotNull(fx.result(spec(0, 1)).message);
    }
}
