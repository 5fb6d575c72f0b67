package dev.mmalign.api.stage;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TerminationMessageTest {

    /** Guards the round trip the operator relies on to read a pod's result from its termination message. */
    @Test
    void smallResultRoundTripsUnchanged() throws Exception {
        StageResult r = new StageResult();
        r.stage = StageName.annotate;
        r.shardIndex = 1;
        r.shardCount = 4;
        r.outcome = StageResult.Outcome.budgetExhausted;
        r.counts.put("annotated", 120L);
        r.metrics.put("costUSD", 4.25);
        r.artifacts.put("annotations", "mmalign/datasets/d/annotations");
        StageResult back = TerminationMessage.decode(TerminationMessage.encode(r));
        assertEquals(StageResult.Outcome.budgetExhausted, back.outcome);
        assertEquals(120L, back.counts.get("annotated"));
        assertEquals(4.25, back.metrics.get("costUSD"));
        assertEquals("mmalign/datasets/d/annotations", back.artifacts.get("annotations"));
    }

    /** Guards Kubernetes' 4 KiB cap: big maps are dropped first, the message is cut last, the outcome survives. */
    @Test
    void oversizedResultIsShrunkBelowFourKibKeepingOutcomeAndMessageStart() throws Exception {
        StageResult r = new StageResult();
        r.stage = StageName.build;
        r.outcome = StageResult.Outcome.failed;
        for (int i = 0; i < 500; i++) {
            r.metrics.put("metric-" + i, (double) i);
        }
        r.message = "prompts.jsonl line 17: missing field \"image\" " + "é".repeat(5000);
        String encoded = TerminationMessage.encode(r);
        assertTrue(encoded.getBytes(StandardCharsets.UTF_8).length <= TerminationMessage.MAX_BYTES,
                "encoded size " + encoded.getBytes(StandardCharsets.UTF_8).length);
        StageResult back = TerminationMessage.decode(encoded);
        assertEquals(StageResult.Outcome.failed, back.outcome);
        assertTrue(back.metrics.isEmpty());
        assertTrue(back.message.startsWith("prompts.jsonl line 17: missing field \"image\""));
    }
}
