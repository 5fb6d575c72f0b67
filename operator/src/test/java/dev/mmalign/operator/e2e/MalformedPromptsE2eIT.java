package dev.mmalign.operator.e2e;

import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prompt file with one line that is not JSON. */
class MalformedPromptsE2eIT {

    /**
     * Guards: the dataset ends Failed (a permanent error: exit 2, no retries) and says which file and which line;
     * the run that waits for it neither starts training nor creates a Job, and stays in a waiting phase.
     */
    @Test
    void malformedPromptLineFailsTheDatasetWithFileAndLine() throws Exception {
        try (E2eCluster c = E2eCluster.start("malformed-prompts")) {
            Path claim = c.prepareClaim("e2e-data");
            List<String> lines = new ArrayList<>(Files.readAllLines(claim.resolve("synthetic/train/prompts.jsonl")));
            lines.add(2, "{\"id\": \"broken\", \"image\": ");   // line 3
            Path broken = claim.resolve("broken/prompts.jsonl");
            Files.createDirectories(broken.getParent());
            Files.write(broken, lines.subList(0, 6));

            c.startOperator();
            c.apply(E2ePaths.manifests("malformed"));

            PreferenceDataset d = c.await(PreferenceDataset.class, "broken", Duration.ofMinutes(5),
                    x -> Statuses.phase(x) == DatasetPhase.Failed, x -> null);
            String message = Statuses.messages(d.getStatus().conditions);
            // file:line, the compiler-style position the trainer reports
            assertTrue(message.contains("broken/prompts.jsonl:3:"), "file and line named: " + message);

            List<Job> sample = c.jobsOf("broken");
            assertEquals(1, sample.size(), "one (sample) Job");
            assertEquals(1, c.podLogs(sample.get(0).getMetadata().getName()).size(),
                    "a permanent failure is not retried");

            // The run keeps waiting: give the operator time to (wrongly) act on it, then look.
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30))
                    .until(() -> c.get(AlignmentRun.class, "broken-sft").getStatus() != null);
            AlignmentRun run = c.get(AlignmentRun.class, "broken-sft");
            assertNotEquals(RunPhase.Training, Statuses.phase(run));
            assertNotEquals(RunPhase.Succeeded, Statuses.phase(run));
            assertEquals(List.of(), c.jobsOf("broken-sft"), "no Job for the waiting run");
        }
    }
}
