package dev.mmalign.trainer.stage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.dataset.TrainingSetsSpec;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.ResolvedModel;
import dev.mmalign.api.stage.Shard;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.annotate.AnnotateStage;
import dev.mmalign.trainer.build.BuildStage;
import dev.mmalign.trainer.cli.AnnotateCommand;
import dev.mmalign.trainer.cli.BuildCommand;
import dev.mmalign.trainer.cli.EvaluateCommand;
import dev.mmalign.trainer.cli.SampleCommand;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.evaluate.EvaluateStage;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.sample.SampleStage;
import dev.mmalign.trainer.synthetic.SyntheticWorld;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stages chained as the operator chains them, on the synthetic world with the artifact layout of src/api:
 * sample (2 shards) → annotate with the oracle (2 shards) → build → evaluate. Guards that each stage finds the
 * previous stage's outputs where the contract puts them.
 */
class PipelineTest {

    @TempDir
    Path root;

    /** Answers that differ in quality per completion index, so that the oracle's ratings yield DPO pairs. */
    static final class VaryingModel extends FakePolicyModel {
        @Override
        public synchronized List<String> generate(Path image, List<ChatMessage> conversation, GenerationSettings s) {
            List<String> out = new ArrayList<>();
            for (int j = 0; j < s.count(); j++) {
                out.add(switch (j % 4) {
                    case 0 -> "Yes, there is a red circle on the left. It is red. There are 2 shapes.";
                    case 1 -> "No.";
                    case 2 -> "blue blue blue blue";
                    default -> "";
                });
            }
            return out;
        }
    }

    @Test
    void sampleAnnotateBuildEvaluate() throws Exception {
        SyntheticWorld.write(root.resolve("world"), new SyntheticWorld.Config(6, 3, 4, 4, 32, 3, 9));
        StageFixture fx = new StageFixture(root);
        VaryingModel model = new VaryingModel();
        String ds = "pipe";

        for (int shard = 0; shard < 2; shard++) {
            StageSpec sample = fx.spec(StageName.sample, ArtifactLayout.datasetCompletions(ds));
            sample.shard = new Shard(shard, 2);
            sample.prompts = new PromptsSpec();
            sample.prompts.path = "world/prompts-train.jsonl";
            sample.prompts.imageRoot = "world/images";
            sample.sampling = new SamplingSpec();
            sample.sampling.model = ModelSource.ofPath("models/sft");
            sample.paths.inputs.put("prompts", ArtifactLayout.datasetPrompts(ds));
            assertEquals(0, fx.run(sample, new SampleStage(model.loader())));
        }
        for (int shard = 0; shard < 2; shard++) {
            StageSpec annotate = fx.spec(StageName.annotate, ArtifactLayout.datasetAnnotations(ds));
            annotate.shard = new Shard(shard, 2);
            annotate.paths.inputs.put("prompts", ArtifactLayout.datasetPrompts(ds));
            annotate.paths.inputs.put("completions", ArtifactLayout.datasetCompletions(ds));
            annotate.paths.inputs.put("imageRoot", "world/images");
            annotate.annotation = new AnnotationSpec();
            annotate.annotation.provider = JudgeProvider.ORACLE;
            assertEquals(0, fx.run(annotate, new AnnotateStage(Map.of(), JudgeTuning.standard())));
        }
        StageSpec build = fx.spec(StageName.build, ArtifactLayout.datasetSets(ds));
        build.paths.inputs.put("prompts", ArtifactLayout.datasetPrompts(ds));
        build.paths.inputs.put("completions", ArtifactLayout.datasetCompletions(ds));
        build.paths.inputs.put("annotations", ArtifactLayout.datasetAnnotations(ds));
        build.paths.inputs.put("imageRoot", "world/images");
        build.paths.inputs.put("model", "models/sft");
        build.trainingSets = new TrainingSetsSpec();
        assertEquals(0, fx.run(build, new BuildStage(model.loader())));
        int prompts = Files.readAllLines(root.resolve("world/prompts-train.jsonl")).size();
        var result = fx.result(build);
        assertEquals((long) prompts, result.counts.get("annotated"));
        assertEquals((long) prompts * 4, result.counts.get("steerLM"));
        List<DpoPairRecord> pairs = JsonlReader.readAll(root.resolve(ArtifactLayout.datasetSet(ds, "dpo")),
                DpoPairRecord.class, null);
        assertTrue(!pairs.isEmpty() && pairs.stream().allMatch(p -> p.refChosenLogp() != null));
        assertTrue(pairs.stream().allMatch(p -> p.chosenScore() - p.rejectedScore() >= 2));

        StageSpec evaluate = fx.spec(StageName.evaluate, ArtifactLayout.suiteRoot("s"));
        evaluate.models = List.of(new ResolvedModel("base", "models/sft", null));
        BenchmarkSpec pope = new BenchmarkSpec();
        pope.name = BenchmarkName.POPE;
        pope.dataPath = "world/pope-heldout.jsonl";
        pope.imageRoot = "world/images";
        evaluate.benchmarks = List.of(pope);
        assertEquals(0, fx.run(evaluate, new EvaluateStage(model.loader(), Map.of(), JudgeTuning.standard())));
        JsonNode results = Json.MAPPER.readTree(Files.readString(root.resolve(ArtifactLayout.suiteResults("s"))));
        assertEquals(6.0, results.at("/models/base/pope/n").asDouble());
        assertTrue(Files.exists(root.resolve(ArtifactLayout.suiteReport("s"))));
    }

    @Test
    void commandsParseTheirOptionsAndReturnTheStageExitCode() throws Exception {
        StageFixture fx = new StageFixture(root);
        StageSpec build = fx.spec(StageName.build, "sets");
        build.paths.inputs.put("prompts", "missing.jsonl");
        build.paths.inputs.put("completions", "c");
        build.paths.inputs.put("annotations", "a");
        Path spec = fx.write(build, "stage.json");
        assertEquals(2, new CommandLine(new BuildCommand(new FakePolicyModel().loader())).execute("--spec",
                spec.toString()), "missing prompts file: invalid input");
        assertTrue(fx.result(build).message.contains("missing.jsonl: file not found"));
        assertEquals(2, new CommandLine(new AnnotateCommand()).execute(), "--spec is required");
        assertEquals(0, new CommandLine(new SampleCommand(PolicyModelLoader.unavailable())).execute("--help"));
        assertEquals(0, new CommandLine(new EvaluateCommand(PolicyModelLoader.unavailable())).execute("--help"));
    }
}
