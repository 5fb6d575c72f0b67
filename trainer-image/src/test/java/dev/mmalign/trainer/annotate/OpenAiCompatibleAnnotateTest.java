package dev.mmalign.trainer.annotate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.mmalign.trainer.annotate.AnnotateFixture.K;
import static dev.mmalign.trainer.annotate.AnnotateFixture.PROMPTS;
import static dev.mmalign.trainer.annotate.FakeJudgeServer.Fault;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The openai-compatible provider over java.net.http: request shape, API key from the environment, fault handling. */
class OpenAiCompatibleAnnotateTest {

    @TempDir
    Path root;
    AnnotateFixture data;
    FakeJudgeServer server;

    @BeforeEach
    void setUp() throws Exception {
        data = new AnnotateFixture(root);
        server = new FakeJudgeServer();
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private StageSpec spec() {
        return data.openAiCompatibleSpec(server);
    }

    private int run(StageSpec spec) throws Exception {
        return run(spec, Map.of(JudgeWiring.ENV_API_KEY, "sk-test"));
    }

    private int run(StageSpec spec, Map<String, String> env) throws Exception {
        AnnotateStage stage = new AnnotateStage(env, new JudgeTuning(1, 5, Sleeper.REAL, 30_000, null));
        return data.fx.run(spec, stage);
    }

    @Test
    void sendsChatCompletionsWithImageSchemaAndKeyAndParsesTheAnswer() throws Exception {
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals("/v1/chat/completions", server.paths.get(0));
        assertEquals("Bearer sk-test", server.authorizations.get(0));
        JsonNode body = server.bodies.get(0);
        assertEquals("local-judge", body.path("model").asText());
        assertEquals(0.0, body.path("temperature").asDouble(-1), "annotation is deterministic");
        assertTrue(body.path("max_tokens").isMissingNode(), "and uncapped: the rating JSON must not be cut off");
        JsonNode user = body.path("messages").path(1).path("content");
        assertTrue(user.path(0).path("image_url").path("url").asText().startsWith("data:image/png;base64,"));
        assertEquals("json_schema", body.path("response_format").path("type").asText());
        assertEquals(K, body.path("response_format").path("json_schema").path("schema").path("properties")
                .path("ratings").path("minItems").asInt());
        assertEquals(PROMPTS * K, data.annotations().size());
        assertEquals("openai-compatible/local-judge", data.annotations().get(0).judge());
        assertTrue(data.fx.stderrText().indexOf("sk-test") < 0, "the API key is never logged");
    }

    @Test
    void aGuideFromTheMountedConfigMapReplacesTheBuiltInOne() throws Exception {
        StageSpec spec = spec();
        spec.annotation.guide = new dev.mmalign.api.dataset.GuideSpec();
        spec.annotation.guide.configMapName = "my-guide";
        spec.annotation.guide.key = "guide.md";
        // The operator mounts the ConfigMap and names the guide's file in the environment.
        java.nio.file.Files.createDirectories(root.resolve("guide"));
        java.nio.file.Files.writeString(root.resolve("guide/guide.md"), "Rate strictly.");
        Map<String, String> env = Map.of(JudgeWiring.ENV_API_KEY, "sk-test",
                JudgeWiring.ENV_GUIDE_FILE, root.resolve("guide/guide.md").toString());
        assertEquals(ExitCodes.SUCCESS, run(spec, env));
        assertEquals("Rate strictly.", server.bodies.get(0).path("messages").path(0).path("content").asText());

        java.nio.file.Files.delete(root.resolve("guide/guide.md"));
        java.nio.file.Files.delete(root.resolve(AnnotateFixture.ANNOTATIONS));
        assertEquals(ExitCodes.INVALID_INPUT, run(spec, env));
        assertTrue(data.fx.result(spec).message.contains("my-guide is not mounted"));

        // A guide named in the spec but not in the environment: the operator did not mount it.
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(data.fx.result(spec).message.contains("my-guide is not mounted (MMALIGN_JUDGE_GUIDE_FILE is unset)"));
    }

    @Test
    void serverErrorsAndNonJsonBodiesAreRetried() throws Exception {
        server.then(Fault.status(500), 1).then(Fault.rawBody("not json"), 1).then(Fault.status(429), 1);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
        assertEquals(PROMPTS + 3, server.requests.get());
    }

    @Test
    void aFencedJsonAnswerIsAccepted() throws Exception {
        server.then(Fault.answer("```json\n{\"reasoning\":\"ok\",\"ratings\":[" + item(1) + "," + item(2) + ","
                + item(3) + "]}\n```"), 1);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals(0, data.quarantined().size());
    }

    @Test
    void garbageThroughEveryRetryIsQuarantined() throws Exception {
        StageSpec spec = spec();
        spec.annotation.maxRetries = 1;
        server.then(Fault.answer("I think response 1 is best."), 2);
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(1, data.quarantined().size());
        assertTrue(data.quarantined().get(0).reason().startsWith("answer is not valid JSON"));
    }

    private static String item(int n) {
        return "{\"response\":" + n + ",\"helpfulness\":2,\"correctness\":2,\"coherence\":2,\"complexity\":2,"
                + "\"verbosity\":2}";
    }
}
