package dev.mmalign.trainer.annotate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.dataset.GoldAnswersSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import dev.mmalign.trainer.sets.GoldSftBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.mmalign.trainer.annotate.AnnotateFixture.K;
import static dev.mmalign.trainer.annotate.AnnotateFixture.PROMPTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * annotation.goldAnswers: the judge is asked for its own answer to each prompt, through the same resilient judge as
 * the ratings (retries, quarantine, resume, cost), and the goldSFT set trains on those answers.
 */
class GoldAnswersAnnotateTest {

    @TempDir
    Path root;
    AnnotateFixture data;
    FakeJudgeServer server;

    @BeforeEach
    void setUp() throws Exception {
        data = new AnnotateFixture(root);
        server = new FakeJudgeServer();
        server.freeTextAnswer = body -> "Judge says: " + body.at("/messages/0/content/1/text").asText();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private StageSpec spec() {
        StageSpec spec = data.openAiCompatibleSpec(server);
        spec.annotation.goldAnswers = new GoldAnswersSpec();
        spec.annotation.goldAnswers.enabled = true;
        return spec;
    }

    private int run(StageSpec spec) throws Exception {
        return data.fx.run(spec, new AnnotateStage(Map.of(JudgeWiring.ENV_API_KEY, "sk-test"),
                new JudgeTuning(1, 3, Sleeper.REAL, 30_000, null)));
    }

    @Test
    void eachPromptGetsTheJudgesOwnAnswerAlongsideItsRatingsAndBothAreBilled() throws Exception {
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        List<AnnotationRecord> annotations = data.annotations();
        assertEquals(PROMPTS * K, annotations.size());
        for (AnnotationRecord a : annotations) {
            int i = Integer.parseInt(a.promptId().substring(1));
            assertEquals("Judge says: Is there a red circle in image " + i + "?", a.goldAnswer());
            assertEquals(2, a.usage().requests(), "the prompt's usage covers the rating and the answer request");
        }
        assertEquals(2 * PROMPTS, server.requests.get());
        JsonNode goldRequest = server.bodies.stream().filter(b -> !b.has("response_format")).findFirst().orElseThrow();
        assertEquals(1, goldRequest.path("messages").size(), "no system message: just the question and the image");
        assertTrue(goldRequest.at("/messages/0/content/0/image_url/url").asText().startsWith("data:image/png"));
        assertEquals(0.0, goldRequest.path("temperature").asDouble(-1));
        StageResult result = data.fx.result(spec());
        assertEquals((long) server.requests.get(), result.counts.get("requests"), "every request is counted");

        // Resume: nothing is asked again.
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals(2 * PROMPTS, server.requests.get());
    }

    @Test
    void anEmptyAnswerIsAskedAgainThenQuarantinedLikeAMalformedRating() throws Exception {
        server.freeTextAnswer = body -> body.toString().contains("image 2?") ? " " : "An answer.";
        StageSpec spec = spec();
        spec.annotation.maxFailureRatio = 0.5;
        spec.annotation.maxRetries = 2;
        assertEquals(ExitCodes.SUCCESS, run(spec));
        List<QuarantineRecord> quarantined = data.quarantined();
        assertEquals(1, quarantined.size());
        assertEquals("p2", quarantined.get(0).promptId());
        assertTrue(quarantined.get(0).reason().startsWith("gold answer: "), quarantined.get(0).reason());
        assertFalse(data.annotations().stream().anyMatch(a -> a.promptId().equals("p2")),
                "the prompt's ratings are not kept without its answer: they are one unit of work");

        assertEquals(PROMPTS * 2 + 2, server.requests.get(), "p2's answer was asked maxRetries + 1 = 3 times");
        StageResult result = data.fx.result(spec);
        assertEquals(1L, result.counts.get("quarantined"));
        assertEquals((long) PROMPTS - 1, result.counts.get("annotated"));

        // Resume: a malformed answer's quarantine is final, as for ratings; nothing is asked again.
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS * 2 + 2, server.requests.get());
    }

    @Test
    void goldAnswersNeedAJudgeModel() throws Exception {
        StageSpec spec = data.spec(JudgeProvider.ORACLE);
        spec.annotation.goldAnswers = new GoldAnswersSpec();
        spec.annotation.goldAnswers.enabled = true;
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(data.fx.result(spec).message.contains("annotation.goldAnswers"), data.fx.result(spec).message);
    }

    @Test
    void theGoldSftSetUsesTheJudgesAnswersWhenThereAreAnyAndNeverMixesSources() {
        List<PromptRecord> prompts = List.of(new PromptRecord("a", "a.png", "qa", "dataset answer a", null, null),
                new PromptRecord("b", null, "qb", "dataset answer b", null, null));
        assertEquals(List.of(new SftExampleRecord("a", List.of("a.png"), "qa", "dataset answer a"),
                new SftExampleRecord("b", List.of(), "qb", "dataset answer b")), GoldSftBuilder.build(prompts));
        assertEquals(List.of(new SftExampleRecord("a", List.of("a.png"), "qa", "judge answer a")),
                GoldSftBuilder.build(prompts, Map.of("a", "judge answer a")),
                "b has no judge answer (quarantined): skipped, not filled from the dataset");
    }
}
