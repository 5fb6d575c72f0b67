package dev.mmalign.trainer.sample;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.common.SecretKeyRef;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.SamplingEndpointWiring;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.StableHash;
import dev.mmalign.trainer.data.TestImages;
import dev.mmalign.trainer.stage.PolicyModelLoader;
import dev.mmalign.trainer.stage.StageFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards sampling from an OpenAI-compatible endpoint ({@code sampling.endpoint}) against a local fake server: the
 * request vLLM expects (image as a data URL part, n, temperature, top_p, max_tokens, seed, Bearer key from the pod
 * contract's file), retries honouring Retry-After on a 429 and backing off on a 500, refusal as exit 2, and resume:
 * a failed or stopped run leaves whole records, and the rerun asks only for what is missing.
 */
class EndpointSampleStageTest {

    private static final int K = 3;
    /** Never loads a model: a sample stage with an endpoint must not. */
    private static final PolicyModelLoader NO_MODEL = (m, a) -> {
        throw new AssertionError("the endpoint stage loaded a model");
    };

    @TempDir
    Path root;
    StageFixture fx;
    FakeChatCompletionsServer server;
    final List<Long> sleeps = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws Exception {
        fx = new StageFixture(root);
        server = new FakeChatCompletionsServer();
        Files.createDirectories(root.resolve("images"));
        List<PromptRecord> prompts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestImages.png(root.resolve("images/img" + i + ".png"));
            prompts.add(new PromptRecord("p" + i, "img" + i + ".png", "question " + i, null, null, null));
        }
        prompts.add(new PromptRecord("t0", null, "text only question", null, null, null));
        fx.writeJsonl("in/prompts.jsonl", prompts);
        Path key = Files.writeString(root.resolve("api-key"), "sk-sample\n");
        fx.env.put(SamplingEndpointWiring.ENV_API_KEY_FILE, key.toString());
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private StageSpec spec() {
        StageSpec spec = fx.spec(StageName.sample, "ds/completions");
        spec.prompts = new PromptsSpec();
        spec.prompts.path = "in/prompts.jsonl";
        spec.sampling = new SamplingSpec();
        spec.sampling.model = ModelSource.ofPath("models/base");
        spec.sampling.completionsPerPrompt = K;
        spec.sampling.temperature = 0.9;
        spec.sampling.topP = 0.95;
        spec.sampling.maxNewTokens = 77;
        spec.sampling.seed = 7L;
        spec.sampling.endpoint = new SamplingEndpointSpec();
        spec.sampling.endpoint.url = server.baseUrl();
        spec.sampling.endpoint.model = "llava-hf/llava-1.5-13b-hf";
        spec.sampling.endpoint.requestsPerSecond = 10000.0;
        spec.sampling.endpoint.apiKeySecret = new SecretKeyRef();
        spec.sampling.endpoint.apiKeySecret.name = "vllm-key";
        spec.paths.inputs.put("prompts", "ds/prompts.jsonl");
        return spec;
    }

    private int run(StageSpec spec) throws Exception {
        return fx.run(spec, new SampleStage(NO_MODEL, fx.env, sleeps::add));
    }

    private List<CompletionRecord> records() {
        return JsonlReader.readAll(root.resolve("ds/completions/completions-00000-of-00001.jsonl"),
                CompletionRecord.class, null);
    }

    private static Set<String> prompts(List<JsonNode> bodies) {
        return bodies.stream().map(FakeChatCompletionsServer::question).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void asksOnceWithNPerPromptWithTheSpecsSettingsAndWritesKCompletionsEach() throws Exception {
        assertEquals(0, run(spec()), fx.stderrText());

        assertEquals(7, server.bodies.size(), "one request per prompt");
        for (JsonNode body : server.bodies) {
            assertEquals("llava-hf/llava-1.5-13b-hf", body.path("model").asText());
            assertEquals(K, body.path("n").asInt());
            assertEquals(0.9, body.path("temperature").asDouble());
            assertEquals(0.95, body.path("top_p").asDouble());
            assertEquals(77, body.path("max_tokens").asInt());
            assertEquals(1, body.path("messages").size());
            assertEquals("user", body.path("messages").path(0).path("role").asText());
        }
        JsonNode imageBody = server.bodies.stream()
                .filter(b -> FakeChatCompletionsServer.question(b).equals("question 2")).findFirst().orElseThrow();
        JsonNode content = imageBody.path("messages").path(0).path("content");
        assertEquals("image_url", content.path(0).path("type").asText());
        String url = content.path(0).path("image_url").path("url").asText();
        assertTrue(url.startsWith("data:image/png;base64,"), url);
        assertArrayEquals(Files.readAllBytes(root.resolve("images/img2.png")),
                Base64.getDecoder().decode(url.substring("data:image/png;base64,".length())));
        assertEquals("text", content.path(1).path("type").asText());
        long promptSeed = StableHash.of(7L, "p2") & 0x7fffffffL;
        assertEquals(promptSeed, imageBody.path("seed").asLong());
        JsonNode textBody = server.bodies.stream()
                .filter(b -> FakeChatCompletionsServer.question(b).equals("text only question")).findFirst()
                .orElseThrow();
        assertEquals(1, textBody.path("messages").path(0).path("content").size(), "no image part without an image");
        assertTrue(server.authorizations.stream().allMatch("Bearer sk-sample"::equals),
                server.authorizations.toString());

        List<CompletionRecord> records = records();
        assertEquals(7 * K, records.size());
        CompletionRecord second = records.stream().filter(c -> c.completionId().equals(CompletionRecord.idOf("p2", 1)))
                .findFirst().orElseThrow();
        assertEquals("answer to question 2 #1 seed " + promptSeed, second.text(), "choices placed by their index");
        assertEquals("llava-hf/llava-1.5-13b-hf", second.model());
        assertEquals(0.9, second.temperature());
        assertEquals(promptSeed, second.seed());
        assertEquals(21L, fx.result(spec()).counts.get("completions"));
    }

    @Test
    void waitsWhatRetryAfterAsksOnA429AndBacksOffOnA500() throws Exception {
        StageSpec spec = spec();
        spec.sampling.endpoint.concurrency = 1;
        server.thenStatus(429, "7").thenStatus(500, null);

        assertEquals(0, run(spec), fx.stderrText());

        assertEquals(7 + 2, server.bodies.size());
        assertEquals(7 * K, records().size());
        // Rate-limit pauses are short; waits of a second or more are the retries'.
        List<Long> retryWaits = sleeps.stream().filter(ms -> ms >= 1000).toList();
        assertEquals(2, retryWaits.size(), sleeps.toString());
        assertEquals(7000L, retryWaits.get(0), "Retry-After: 7 outweighs the first backoff (at most 1 s)");
        assertTrue(retryWaits.get(1) >= 1000 && retryWaits.get(1) <= 2000,
                "second backoff in [1 s, 2 s]: " + retryWaits);
    }

    @Test
    void aRefusedRequestIsInvalidConfigurationNamingTheField() throws Exception {
        server.thenStatus(400, null);
        StageSpec spec = spec();
        spec.sampling.endpoint.concurrency = 1;
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(fx.stderrText().contains("sampling.endpoint"), fx.stderrText());
        assertTrue(fx.stderrText().contains("HTTP 400"), fx.stderrText());
        assertEquals(1, server.bodies.size(), "a refusal is not retried");
    }

    @Test
    void aServerThatIgnoresNIsRefusedWithTheFix() throws Exception {
        server.fixedChoices = 1;
        assertEquals(ExitCodes.INVALID_INPUT, run(spec()));
        assertTrue(fx.stderrText().contains("useN=false"), fx.stderrText());
    }

    @Test
    void withoutNEachCompletionIsItsOwnRequestWithItsOwnSeed() throws Exception {
        StageSpec spec = spec();
        spec.sampling.endpoint.useN = false;
        assertEquals(0, run(spec), fx.stderrText());

        assertEquals(7 * K, server.bodies.size());
        assertTrue(server.bodies.stream().allMatch(b -> b.path("n").asInt() == 1));
        Set<Long> seeds = server.bodies.stream().map(b -> b.path("seed").asLong()).collect(Collectors.toSet());
        assertEquals(7 * K, seeds.size(), "every completion its own seed");
        long promptSeed = StableHash.of(7L, "p4");
        for (CompletionRecord c : records()) {
            if (c.promptId().equals("p4")) {
                int j = Integer.parseInt(c.completionId().substring(c.completionId().lastIndexOf('#') + 1));
                assertEquals(StableHash.of(promptSeed, Integer.toString(j)) & 0x7fffffffL, c.seed());
            }
        }
    }

    @Test
    void noSeedIsSentWhenTheServerTakesNone() throws Exception {
        StageSpec spec = spec();
        spec.sampling.endpoint.sendSeed = false;
        assertEquals(0, run(spec), fx.stderrText());
        assertTrue(server.bodies.stream().noneMatch(b -> b.has("seed")));
        assertTrue(records().stream().allMatch(c -> c.seed() == null));
    }

    @Test
    void retriesUsedUpFailThePodAndTheRerunAsksOnlyForWhatIsMissing() throws Exception {
        StageSpec spec = spec();
        spec.sampling.endpoint.concurrency = 1;
        spec.sampling.endpoint.maxRetries = 2;
        server.failWhen = b -> FakeChatCompletionsServer.question(b).equals("question 3");

        assertEquals(1, run(spec), "retryable: the Job retries the pod");
        assertTrue(fx.stderrText().contains("failed after 3 attempts"), fx.stderrText());
        Set<String> written = records().stream().map(CompletionRecord::promptId).collect(Collectors.toSet());
        assertEquals(Set.of("p0", "p1", "p2"), written, "whole prompts before the failure are kept");

        server.failWhen = b -> false;
        server.bodies.clear();
        assertEquals(0, run(spec), fx.stderrText());
        assertEquals(Set.of("question 3", "question 4", "question 5", "text only question"),
                prompts(server.bodies), "only the missing prompts are asked for again");
        assertNoDuplicatesAndComplete();
    }

    @Test
    void aStoppedRunResumesWithoutAskingAgainForWhatItWrote() throws Exception {
        StageSpec spec = spec();
        spec.sampling.endpoint.concurrency = 1;
        // SIGTERM arrives while the third request is being answered.
        server.onRequest = b -> {
            if (server.bodies.size() == 3) fx.stop.request();
        };
        assertEquals(ExitCodes.INTERRUPTED, run(spec), fx.stderrText());
        Set<String> written = records().stream().map(CompletionRecord::promptId).collect(Collectors.toSet());
        assertEquals(Set.of("p0", "p1", "p2"), written, "the request in flight finishes and is kept, no new one starts");

        server.onRequest = b -> {};
        server.bodies.clear();
        // The pod's retry: a new process, its stop signal unset.
        Path keyFile = Path.of(fx.env.get(SamplingEndpointWiring.ENV_API_KEY_FILE));
        fx = new StageFixture(root);
        fx.env.put(SamplingEndpointWiring.ENV_API_KEY_FILE, keyFile.toString());
        assertEquals(0, run(spec), fx.stderrText());
        Set<String> asked = prompts(server.bodies);
        for (String id : written) {
            assertFalse(asked.contains(id.equals("t0") ? "text only question" : "question " + id.substring(1)),
                    "asked again for " + id);
        }
        assertEquals(7 - written.size(), server.bodies.size());
        assertNoDuplicatesAndComplete();
    }

    @Test
    void anApiKeySecretWithoutTheKeyInThePodIsInvalidConfiguration() throws Exception {
        fx.env.remove(SamplingEndpointWiring.ENV_API_KEY_FILE);
        assertEquals(ExitCodes.INVALID_INPUT, run(spec()));
        assertTrue(fx.stderrText().contains(SamplingEndpointWiring.ENV_API_KEY_FILE), fx.stderrText());
        assertEquals(0, server.bodies.size());
    }

    @Test
    void noKeyIsSentToAServerWithoutAuthentication() throws Exception {
        fx.env.remove(SamplingEndpointWiring.ENV_API_KEY_FILE);
        StageSpec spec = spec();
        spec.sampling.endpoint.apiKeySecret = null;
        assertEquals(0, run(spec), fx.stderrText());
        assertTrue(server.authorizations.stream().allMatch(a -> a == null));
        assertNull(server.authorizations.get(0));
    }

    private void assertNoDuplicatesAndComplete() {
        Set<String> ids = new HashSet<>();
        for (CompletionRecord c : records()) assertTrue(ids.add(c.completionId()), "duplicate " + c.completionId());
        assertEquals(7 * K, ids.size());
    }
}
