package dev.mmalign.trainer.annotate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.common.JudgeProvider;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.trainer.data.AnnotationRecord;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.Sleeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.mmalign.trainer.annotate.AnnotateFixture.K;
import static dev.mmalign.trainer.annotate.AnnotateFixture.PROMPTS;
import static dev.mmalign.trainer.annotate.FakeJudgeServer.Fault;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vertex-gemini provider end to end: the real google-genai client (Vertex mode) against a local server speaking
 * the :generateContent REST shape, through every failure the issue lists, and crash/rerun accounting.
 */
class VertexGeminiAnnotateTest {

    /** Per request: 1000 input tokens at 1 USD/M + 200 output tokens at 2 USD/M. */
    static final double USD_PER_REQUEST = 0.0014;

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

    private int run(StageSpec spec) throws Exception {
        return data.fx.run(spec, AnnotateFixture.vertexStage(server, 2000));
    }

    /** Guards the pod contract's Vertex half: the service-account key file the operator mounts and names in
     * GOOGLE_APPLICATION_CREDENTIALS is what the stage authenticates with (exchanged for an access token at the
     * key's token endpoint), whatever the process's own environment says. */
    @Test
    void theKeyFileNamedInTheStageEnvironmentAuthenticatesTheCalls() throws Exception {
        Path keyFile = root.resolve("key.json");
        Files.writeString(keyFile, server.serviceAccountKey());
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.endpoint = server.baseUrl();
        AnnotateStage stage = new AnnotateStage(Map.of(JudgeWiring.ENV_GOOGLE_CREDENTIALS_FILE, keyFile.toString()),
                new JudgeTuning(1, 5, Sleeper.REAL, 2000, null));
        assertEquals(ExitCodes.SUCCESS, data.fx.run(spec, stage));
        assertEquals(PROMPTS, server.requests.get());
        String grant = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer";
        assertTrue(server.tokenRequests.get(0).contains(grant), server.tokenRequests.get(0));
        assertTrue(server.authorizations.stream().allMatch(("Bearer " + FakeJudgeServer.ACCESS_TOKEN)::equals),
                server.authorizations.toString());
    }

    /** Runs with a sleeper that records every wait the judge asks for (and sleeps at most 2 ms of it). */
    private int runRecordingSleeps(StageSpec spec, List<Long> sleeps) throws Exception {
        Sleeper recording = millis -> {
            sleeps.add(millis);
            Thread.sleep(Math.min(millis, 2));
        };
        return data.fx.run(spec, AnnotateFixture.vertexStage(server, 2000, recording));
    }

    /** Guards Retry-After on Vertex: the SDK's ApiException drops headers, so the judge reads them off its own
     * OkHttp client; without that it would wait its 1-5 ms backoff instead of the server's 7 s. */
    @Test
    void retryAfterInSecondsFromVertexIsWaitedInsteadOfTheShortBackoff() throws Exception {
        List<Long> sleeps = new CopyOnWriteArrayList<>();
        server.then(Fault.statusWithRetryAfter(429, "7"), 1);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        assertEquals(ExitCodes.SUCCESS, runRecordingSleeps(spec, sleeps));
        assertTrue(sleeps.contains(7000L), "waited the server's 7 s: " + sleeps);
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
    }

    @Test
    void retryAfterAsAnHttpDateFromVertexIsWaitedUntilThatTime() throws Exception {
        List<Long> sleeps = new CopyOnWriteArrayList<>();
        String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        server.then(Fault.statusWithRetryAfter(503, in30s), 1);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        assertEquals(ExitCodes.SUCCESS, runRecordingSleeps(spec, sleeps));
        assertTrue(sleeps.stream().anyMatch(ms -> ms >= 10_000 && ms <= 30_000), "waited until the date: " + sleeps);
    }

    /** A 429 without the header keeps the ordinary backoff (no stale header from an earlier call leaks in). */
    @Test
    void aFailureWithoutRetryAfterKeepsTheBackoff() throws Exception {
        List<Long> sleeps = new CopyOnWriteArrayList<>();
        server.then(Fault.statusWithRetryAfter(429, "7"), 1);
        server.then(Fault.status(429), 1);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        assertEquals(ExitCodes.SUCCESS, runRecordingSleeps(spec, sleeps));
        assertEquals(1, sleeps.stream().filter(ms -> ms >= 1000).count(), "only the first wait is long: " + sleeps);
    }

    @Test
    void ratesEveryCompletionWithOneRequestPerPromptInTheVertexShape() throws Exception {
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        assertEquals(ExitCodes.SUCCESS, run(spec));

        assertEquals(PROMPTS, server.requests.get());
        assertEquals("/v1beta1/projects/p/locations/us-central1/publishers/google/models/gemini-test:generateContent",
                server.paths.get(0));
        assertEquals("Bearer test-token", server.authorizations.get(0));
        JsonNode body = server.bodies.get(0);
        JsonNode parts = body.path("contents").path(0).path("parts");
        assertEquals("image/png", parts.path(0).path("inlineData").path("mimeType").asText());
        byte[] sent = Base64.getDecoder().decode(parts.path(0).path("inlineData").path("data").asText());
        assertTrue(java.util.stream.IntStream.range(0, PROMPTS).anyMatch(i -> java.util.Arrays.equals(sent,
                readBytes(root.resolve("ds/images/img" + i + ".png")))), "the prompt's image is sent as it is");
        String user = parts.path(1).path("text").asText();
        assertTrue(user.contains("Response 1:") && user.contains("Response 3:") && user.contains("Think step by step"));
        assertTrue(body.path("systemInstruction").toString().contains("Correctness"));
        JsonNode schema = body.path("generationConfig").path("responseSchema");
        assertEquals("application/json", body.path("generationConfig").path("responseMimeType").asText());
        assertEquals("[\"reasoning\",\"ratings\"]", schema.path("propertyOrdering").toString());

        List<AnnotationRecord> rated = data.annotations();
        assertEquals(PROMPTS * K, rated.size());
        AnnotationRecord first = rated.stream().filter(a -> a.completionId().equals("p0#0")).findFirst().orElseThrow();
        assertEquals(4, first.ratings().get("helpfulness"));
        AnnotationRecord second = rated.stream().filter(a -> a.completionId().equals("p0#1")).findFirst().orElseThrow();
        assertEquals(1, second.ratings().get("correctness"));
        assertEquals("vertex-gemini/gemini-test", first.judge());
        assertTrue(first.reasoning().startsWith("Looked at the image"));

        StageResult result = data.fx.result(spec);
        assertEquals(PROMPTS, result.counts.get("annotated"));
        assertEquals(PROMPTS, result.counts.get("requests"));
        assertEquals(PROMPTS * 1000L, result.counts.get("inputTokens"));
        assertEquals(PROMPTS * USD_PER_REQUEST, result.metrics.get("costUSD"), 1e-12);
    }

    @Test
    void a429StormIsRetriedWithBackoffAndNothingIsLost() throws Exception {
        server.then(Fault.status(429), 5);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
        assertEquals(PROMPTS + 5, server.requests.get());
        // Every request sent is counted, throttled ones too; only answered ones are billed.
        assertEquals(PROMPTS + 5, data.fx.result(spec).counts.get("requests"));
        assertEquals(PROMPTS * USD_PER_REQUEST, data.fx.result(spec).metrics.get("costUSD"), 1e-12);
    }

    @Test
    void serverErrorsAreRetried() throws Exception {
        server.then(Fault.status(500), 2).then(Fault.status(503), 1);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS * K, data.annotations().size());
    }

    @Test
    void aSlowAnswerTimesOutAndIsRetried() throws Exception {
        // The margin between the timeout and the delay is wide so that a slow machine does not time out the rest.
        server.then(Fault.slow(2500), 1);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        assertEquals(ExitCodes.SUCCESS, data.fx.run(spec, AnnotateFixture.vertexStage(server, 800)));
        assertEquals(PROMPTS * K, data.annotations().size());
        assertEquals(PROMPTS + 1, server.requests.get());
    }

    @Test
    void truncatedAndNonJsonBodiesAreRetried() throws Exception {
        server.then(Fault.truncated(), 1).then(Fault.rawBody("<html>bad gateway</html>"), 1)
                .then(Fault.answer("{\"reasoning\": \"cut off"), 1);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS * K, data.annotations().size());
        assertEquals(0, data.quarantined().size());
    }

    @Test
    void ratingsOutOfRangeAreRetriedThenQuarantinedWithTheReasonAndNeverAskedAgain() throws Exception {
        String outOfRange = "{\"reasoning\":\"r\",\"ratings\":[{\"response\":1,\"helpfulness\":7,\"correctness\":1,"
                + "\"coherence\":1,\"complexity\":1,\"verbosity\":1}]}";
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        spec.annotation.maxRetries = 2;
        server.then(Fault.answer(outOfRange), 3);
        assertEquals(ExitCodes.SUCCESS, run(spec));

        assertEquals(1, data.quarantined().size());
        String reason = data.quarantined().get(0).reason();
        assertTrue(reason.contains("helpfulness = 7 is not an integer 0-4"), reason);
        assertEquals(3, data.quarantined().get(0).attempts());
        assertTrue(data.quarantined().get(0).lastAnswer().contains("\"helpfulness\":7"));
        assertEquals((PROMPTS - 1) * K, data.annotations().size());
        StageResult result = data.fx.result(spec);
        assertEquals(1L, result.counts.get("quarantined"));
        // Malformed answers were billed: all 3 attempts count.
        assertEquals((PROMPTS + 2) * USD_PER_REQUEST, result.metrics.get("costUSD"), 1e-12);

        int before = server.requests.get();
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(before, server.requests.get(), "quarantined and rated prompts are not asked again");
        assertEquals((PROMPTS + 2) * USD_PER_REQUEST, data.fx.result(spec).metrics.get("costUSD"), 1e-12);
    }

    @Test
    void aResponseLeftUnratedIsMalformed() throws Exception {
        String missing = "{\"reasoning\":\"r\",\"ratings\":[{\"response\":1,\"helpfulness\":1,\"correctness\":1,"
                + "\"coherence\":1,\"complexity\":1,\"verbosity\":1}]}";
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        spec.annotation.maxRetries = 0;
        server.then(Fault.answer(missing), 1);
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals("response 2 of 3 is not rated", data.quarantined().get(0).reason());
    }

    @Test
    void persistentOutageFailsRetryablyAndTheRerunFinishesWithoutDuplicates() throws Exception {
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        spec.annotation.maxRetries = 2;
        // The first prompt goes through, then the judge is down for longer than the retries last.
        server.then(Fault.answer(null), 1).then(Fault.status(503), 3);
        assertEquals(1, run(spec));
        assertEquals(K, data.annotations().size());
        assertTrue(data.fx.result(spec).message.contains("still failing after 3 attempts"),
                data.fx.result(spec).message);

        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS * K, data.annotations().size());
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
    }

    @Test
    void budgetStopsCleanlyWithExitThreeKeepsWorkAndTheRerunDoesNotPayTwice() throws Exception {
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        spec.annotation.maxCostUSD = 0.002; // two requests of 0.0014 pass the check, the third does not start
        assertEquals(ExitCodes.BUDGET_EXHAUSTED, run(spec));
        assertEquals(2 * K, data.annotations().size());
        assertEquals(2, server.requests.get());
        StageResult terminated = TerminationMessage.decode(Files.readString(data.fx.termination));
        assertEquals(StageResult.Outcome.budgetExhausted, terminated.outcome);
        assertTrue(terminated.message.contains("budget"));

        spec.annotation.maxCostUSD = 1.0;
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS, server.requests.get());
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
        assertEquals(PROMPTS * K, data.annotations().size());
        StageResult result = data.fx.result(spec);
        assertEquals(PROMPTS * USD_PER_REQUEST, result.metrics.get("costUSD"), 1e-12);
        assertEquals(2L, result.counts.get("skippedAlreadyDone"));
    }

    @Test
    void killedMidWriteThenRerunLosesNothingAndCountsNothingTwice() throws Exception {
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        assertEquals(ExitCodes.SUCCESS, run(spec));
        Path file = root.resolve(AnnotateFixture.ANNOTATIONS);
        List<String> lines = Files.readAllLines(file);
        // Kill simulation: the last prompt's group is half written, its last line torn.
        String torn = lines.get(lines.size() - 2).substring(0, 30);
        Files.writeString(file, String.join("\n", lines.subList(0, lines.size() - 2)) + "\n" + torn);

        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS + 1, server.requests.get(), "only the damaged prompt is asked again");
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
        assertEquals(PROMPTS * K, data.fx.result(spec).counts.get("annotated") * K);
    }

    @Test
    void aRequestTheJudgeRejectsIsAConfigurationError() throws Exception {
        server.then(Fault.status(404), 1);
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.concurrency = 1;
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(data.fx.result(spec).message.contains("HTTP 404"));
        assertEquals(1, server.requests.get(), "a 404 is not retried");
    }

    @Test
    void missingImageNamesThePromptsFileAndLine() throws Exception {
        Files.delete(root.resolve("ds/images/img2.png"));
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        assertEquals(ExitCodes.INVALID_INPUT, run(spec));
        assertTrue(data.fx.result(spec).message.startsWith(root.resolve("ds/prompts.jsonl")
                + ":3: image 'img2.png' of prompt p2 not found"), data.fx.result(spec).message);
    }

    @Test
    void vertexWithoutProjectIsInvalidConfiguration() throws Exception {
        StageSpec spec = data.spec(JudgeProvider.VERTEX_GEMINI);
        spec.annotation.project = null;
        int code = data.fx.run(spec, new AnnotateStage(java.util.Map.of(), JudgeTuning.standard()));
        assertEquals(ExitCodes.INVALID_INPUT, code);
        assertTrue(data.fx.result(spec).message.contains("project"));
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
