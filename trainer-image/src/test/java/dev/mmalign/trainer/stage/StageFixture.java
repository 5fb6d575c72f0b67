package dev.mmalign.trainer.stage;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A storage root in a temp folder, stage specs written into it, and stages run the way a pod runs them. */
public final class StageFixture {

    public final Path root;
    public final Path termination;
    public final Map<String, String> env = new HashMap<>();
    public final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    public final StopSignal stop = new StopSignal();

    public StageFixture(Path root) {
        this.root = root;
        this.termination = root.resolve("termination-log");
        env.put(PodContract.ENV_TERMINATION_LOG, termination.toString());
    }

    /** A spec with this storage root, an output folder and quiet file progress. */
    public StageSpec spec(StageName stage, String outputDir) {
        StageSpec spec = new StageSpec();
        spec.stage = stage;
        spec.paths.storageRoot = root.toString();
        spec.paths.outputDir = outputDir;
        spec.progress.mode = dev.mmalign.api.stage.ProgressReporting.Mode.file;
        spec.progress.file = "progress-" + stage + ".jsonl";
        spec.progress.intervalSeconds = 0;
        return spec;
    }

    public Path write(StageSpec spec, String name) throws IOException {
        Path file = root.resolve(name);
        Files.writeString(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(spec));
        return file;
    }

    public int run(StageSpec spec, StageRunner.Stage stage) throws IOException {
        Path file = write(spec, "stage-" + spec.stage + "-" + spec.shard.index + ".json");
        return run(spec.stage, file, stage);
    }

    public int run(StageName name, Path specFile, StageRunner.Stage stage) {
        return new StageRunner(env, new PrintStream(stderr, true, StandardCharsets.UTF_8), stop)
                .run(name, specFile, stage);
    }

    public StageResult result(StageSpec spec) throws IOException {
        Path file = root.resolve(spec.paths.outputDir)
                .resolve(dev.mmalign.api.stage.ArtifactLayout.resultFile(spec.stage, spec.shard.index));
        return Json.MAPPER.readValue(Files.readString(file), StageResult.class);
    }

    public String stderrText() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    public Path writeJsonl(String relative, List<?> records) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        StringBuilder text = new StringBuilder();
        for (Object r : records) text.append(Json.line(r)).append('\n');
        Files.writeString(file, text.toString());
        return file;
    }

    /** A fresh tiny-preset model saved in HF layout under {@code relative} (a stage's base model). */
    public Path writeTinyModel(String relative, long seed) throws IOException {
        Path dir = root.resolve(relative);
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", seed)) {
            ModelLoader.save(vlm, dir);
        }
        return dir;
    }
}
