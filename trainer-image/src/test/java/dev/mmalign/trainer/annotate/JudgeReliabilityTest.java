package dev.mmalign.trainer.annotate;

import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.QuarantineRecord;
import dev.mmalign.trainer.judge.JudgeTuning;
import dev.mmalign.trainer.net.RetryAfter;
import dev.mmalign.trainer.net.Sleeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.mmalign.trainer.annotate.AnnotateFixture.K;
import static dev.mmalign.trainer.annotate.AnnotateFixture.PROMPTS;
import static dev.mmalign.trainer.annotate.FakeJudgeServer.Fault;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The judge against a misbehaving local server: Retry-After honoured (seconds and HTTP dates), every request sent
 * counted, paid attempts of a budget-stopped prompt kept so that a rerun keeps the budget exactly, and a prompt the
 * judge keeps failing on quarantined with the last error up to annotation.maxFailureRatio, then exit 1.
 */
class JudgeReliabilityTest {

    /** 1000 input tokens at 1 USD/M + 200 output tokens at 2 USD/M (the fixture's prices and the server's usage). */
    static final double USD_PER_REQUEST = 0.0014;

    @TempDir
    Path root;
    AnnotateFixture data;
    FakeJudgeServer server;
    /** Every wait the judge asked for; nothing really sleeps longer than a few ms. */
    final List<Long> sleeps = new CopyOnWriteArrayList<>();

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
        Sleeper recording = millis -> {
            sleeps.add(millis);
            Thread.sleep(Math.min(millis, 2));
        };
        AnnotateStage stage = new AnnotateStage(Map.of(JudgeWiring.ENV_API_KEY, "sk-test"),
                new JudgeTuning(1, 5, recording, 30_000, null));
        return data.fx.run(spec, stage);
    }

    private static void assertCountsAddUp(StageResult result) {
        assertEquals(result.counts.get("prompts"), result.counts.get("annotated") + result.counts.get("quarantined")
                + result.counts.get("remaining"), "prompts = annotated + quarantined + remaining: " + result.counts);
    }

    @Test
    void retryAfterInSecondsIsWaitedInsteadOfTheShortBackoff() throws Exception {
        server.then(Fault.statusWithRetryAfter(429, "7"), 1);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertTrue(sleeps.contains(7000L), "waited the server's 7 s, not the 1-5 ms backoff: " + sleeps);
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
    }

    @Test
    void retryAfterAsAnHttpDateIsWaitedUntilThatTime() throws Exception {
        String in30s = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        server.then(Fault.statusWithRetryAfter(503, in30s), 1);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertTrue(sleeps.stream().anyMatch(ms -> ms >= 25_000 && ms <= 30_000), "waited until the date: " + sleeps);
    }

    @Test
    void retryAfterParsesSecondsDatesAndCapsLongWaits() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertEquals(OptionalLong.of(120_000), RetryAfter.millis("120", clock));
        assertEquals(OptionalLong.of(90_000), RetryAfter.millis("Thu, 01 Jan 2026 00:01:30 GMT", clock));
        assertEquals(OptionalLong.of(0), RetryAfter.millis("Wed, 31 Dec 2025 23:00:00 GMT", clock), "a past date");
        assertEquals(OptionalLong.of(RetryAfter.MAX_MILLIS), RetryAfter.millis("86400", clock));
        assertEquals(OptionalLong.of(RetryAfter.MAX_MILLIS), RetryAfter.millis("99999999999999999999", clock));
        assertEquals(OptionalLong.empty(), RetryAfter.millis("soon", clock));
        assertEquals(OptionalLong.empty(), RetryAfter.millis(null, clock));
    }

    @Test
    void failedRequestsAreCountedInRequests() throws Exception {
        server.then(Fault.status(500), 2).then(Fault.rawBody("not json"), 1);
        assertEquals(ExitCodes.SUCCESS, run(spec()));
        assertEquals(PROMPTS + 3, server.requests.get());
        StageResult result = data.fx.result(spec());
        assertEquals((long) server.requests.get(), result.counts.get("requests"), "every request sent is counted");
        assertEquals(PROMPTS * USD_PER_REQUEST, result.metrics.get("costUSD"), 1e-12, "only answers are billed");
    }

    @Test
    void paidAttemptsOfABudgetStoppedPromptAreKeptSoTheRerunKeepsTheBudget() throws Exception {
        StageSpec spec = spec();
        spec.annotation.maxRetries = 3;
        spec.annotation.maxCostUSD = 0.001; // one answered request (0.0014) spends it
        server.then(Fault.answer("I like response 1."), 1);
        assertEquals(ExitCodes.BUDGET_EXHAUSTED, run(spec));
        assertEquals(1, server.requests.get());
        StageResult first = data.fx.result(spec);
        assertEquals(USD_PER_REQUEST, first.metrics.get("costUSD"), 1e-12, "the malformed answer was paid for");
        assertEquals(1L, first.counts.get("requests"));

        assertEquals(ExitCodes.BUDGET_EXHAUSTED, run(spec), "same budget: already spent");
        assertEquals(1, server.requests.get(), "the rerun sends nothing: the budget is kept exactly");
        assertEquals(USD_PER_REQUEST, data.fx.result(spec).metrics.get("costUSD"), 1e-12);
        assertCountsAddUp(data.fx.result(spec));

        spec.annotation.maxCostUSD = 1.0;
        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals((PROMPTS + 1) * USD_PER_REQUEST, data.fx.result(spec).metrics.get("costUSD"), 1e-12,
                "the earlier paid attempt stays counted");
    }

    @Test
    void aPromptTheJudgeKeepsFailingOnIsQuarantinedWithTheLastErrorAndAskedAgainNextRun() throws Exception {
        StageSpec spec = spec();
        spec.annotation.maxRetries = 1;
        spec.annotation.maxFailureRatio = 0.5;
        server.then(Fault.status(503), 2);
        assertEquals(ExitCodes.SUCCESS, run(spec));
        List<QuarantineRecord> quarantined = data.quarantined();
        assertEquals(1, quarantined.size());
        assertTrue(quarantined.get(0).judgeUnavailable());
        assertTrue(quarantined.get(0).reason().contains("still failing after 2 attempts")
                && quarantined.get(0).reason().contains("HTTP 503"), quarantined.get(0).reason());
        StageResult result = data.fx.result(spec);
        assertEquals(1L, result.counts.get("quarantined"));
        assertEquals((long) PROMPTS - 1, result.counts.get("annotated"));
        assertEquals((long) PROMPTS + 1, result.counts.get("requests"));
        assertCountsAddUp(result);

        assertEquals(ExitCodes.SUCCESS, run(spec));
        StageResult rerun = data.fx.result(spec);
        assertEquals((long) PROMPTS, rerun.counts.get("annotated"), "the rerun asked the quarantined prompt again");
        assertEquals(0L, rerun.counts.get("quarantined"));
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
        assertCountsAddUp(rerun);
    }

    @Test
    void morePersistentFailuresThanTheRatioAllowsFailTheStageRetryably() throws Exception {
        StageSpec spec = spec();
        spec.annotation.maxRetries = 1;
        spec.annotation.maxFailureRatio = 0.25; // one of four prompts may fail, not two
        server.then(Fault.status(503), 4);
        assertEquals(1, run(spec));
        String message = data.fx.result(spec).message;
        assertTrue(message.contains("2 of 4 prompts set aside") && message.contains("annotation.maxFailureRatio"),
                message);
        assertTrue(message.contains("HTTP 503"), "the last error is named: " + message);
        assertEquals(2, data.quarantined().size());

        assertEquals(ExitCodes.SUCCESS, run(spec));
        assertEquals(PROMPTS * K, data.distinctCompletionIds());
    }
}
