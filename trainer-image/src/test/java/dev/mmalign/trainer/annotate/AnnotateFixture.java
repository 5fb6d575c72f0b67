package dev.mmalign.trainer.annotate;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.judge.JudgeClient;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.judge.VertexGeminiJudge;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.stage.StageFixture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** A small dataset (prompts with images, K completions each) and annotate specs over it. */
final class AnnotateFixture {

    static final int PROMPTS = 4;
    static final int K = 3;
    static final String ANNOTATIONS = "ds/annotations/annotations-00000-of-00001.jsonl";
    static final String QUARANTINE = "ds/annotations/quarantine-00000-of-00001.jsonl";

    final StageFixture fx;
    final Path root;

    AnnotateFixture(Path root) throws Exception {
        this.root = root;
        this.fx = new StageFixture(root);
        List<PromptRecord> prompts = new ArrayList<>();
        List<CompletionRecord> completions = new ArrayList<>();
        Files.createDirectories(root.resolve("ds/images"));
        for (int i = 0; i < PROMPTS; i++) {
            javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(4 + i, 4, java.awt.image.BufferedImage.TYPE_INT_RGB),
                    "png", root.resolve("ds/images/img" + i + ".png").toFile());
            prompts.add(new PromptRecord("p" + i, "img" + i + ".png", "Is there a red circle in image " + i + "?",
                    "Yes.", null, null));
            for (int j = 0; j < K; j++) {
                completions.add(new CompletionRecord("p" + i, CompletionRecord.idOf("p" + i, j),
                        "completion " + j + " of p" + i, "base", 0.7, 1L));
            }
        }
        fx.writeJsonl("ds/prompts.jsonl", prompts);
        fx.writeJsonl("ds/completions/completions-00000-of-00001.jsonl", completions);
    }

    StageSpec spec(JudgeProvider provider) {
        StageSpec spec = fx.spec(StageName.annotate, "ds/annotations");
        spec.paths.inputs.put("prompts", "ds/prompts.jsonl");
        spec.paths.inputs.put("completions", "ds/completions");
        spec.paths.inputs.put("imageRoot", "ds/images");
        spec.annotation = new AnnotationSpec();
        spec.annotation.provider = provider;
        spec.annotation.model = "gemini-test";
        spec.annotation.project = "p";
        spec.annotation.location = "us-central1";
        spec.annotation.requestsPerMinute = 100_000;
        spec.annotation.concurrency = 2;
        spec.annotation.maxRetries = 6;
        spec.annotation.inputPricePerMillionTokens = 1.0;
        spec.annotation.outputPricePerMillionTokens = 2.0;
        return spec;
    }

    /** A spec whose judge is {@code server}'s OpenAI-compatible endpoint, one request at a time. */
    StageSpec openAiCompatibleSpec(FakeJudgeServer server) {
        StageSpec spec = spec(JudgeProvider.OPENAI_COMPATIBLE);
        spec.annotation.endpoint = server.baseUrl() + "/v1";
        spec.annotation.model = "local-judge";
        spec.annotation.concurrency = 1;
        return spec;
    }

    /** The annotate stage with the real google-genai client pointed at the fake server, and 1-5 ms backoffs. */
    static AnnotateStage vertexStage(FakeJudgeServer server, int timeoutMillis) {
        return vertexStage(server, timeoutMillis, Sleeper.REAL);
    }

    /** As above, with the given sleeper (a test can record the waits the judge asks for). */
    static AnnotateStage vertexStage(FakeJudgeServer server, int timeoutMillis, Sleeper sleeper) {
        GoogleCredentials credentials = GoogleCredentials.create(
                new AccessToken("test-token", new Date(System.currentTimeMillis() + 3_600_000)));
        JudgeClient client = new VertexGeminiJudge("p", "us-central1", "gemini-test", server.baseUrl(), credentials,
                timeoutMillis);
        return new AnnotateStage(Map.of(), new JudgeTuning(1, 5, sleeper, timeoutMillis, client));
    }

    List<AnnotationRecord> annotations() {
        Path file = root.resolve(ANNOTATIONS);
        return Files.exists(file) ? JsonlReader.readAll(file, AnnotationRecord.class, AnnotationRecord::problem)
                : List.of();
    }

    List<QuarantineRecord> quarantined() {
        Path file = root.resolve(QUARANTINE);
        return Files.exists(file) ? JsonlReader.readAll(file, QuarantineRecord.class, null) : List.of();
    }

    /** Annotation ids must be unique: a duplicate would double-count a completion downstream. */
    long distinctCompletionIds() {
        return annotations().stream().map(AnnotationRecord::completionId).distinct().count();
    }
}
