package dev.mmalign.local.e2e;

import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A prompt file with one line that is not JSON, and a run that trains on the dataset made from it. */
class MalformedPromptsE2eIT {

    private static final String BROKEN = "broken/prompts.jsonl";
    private static final String FIXED = "fixed/prompts.jsonl";

    /**
     * Guards: the dataset ends Failed (a permanent error: exit 2, no retries) and its condition names the file and the
     * line; the run that waits for it is blocked, not failed (WaitingForDataset, reason DatasetFailed with that same
     * message, Progressing False, no Job). Once the dataset is fixed (its spec points at a corrected file: the failed
     * stage reruns) it becomes Ready, and the run goes on by itself and succeeds.
     */
    @Test
    void malformedPromptLineFailsTheDatasetAndBlocksItsRunUntilFixed() throws Exception {
        try (E2eCluster c = E2eCluster.start("malformed-prompts")) {
            Path claim = c.prepareClaim("e2e-data");
            List<String> good = Files.readAllLines(claim.resolve("synthetic/train/prompts.jsonl")).subList(0, 6);
            List<String> lines = new ArrayList<>(good);
            lines.add(2, "{\"id\": \"broken\", \"image\": ");   // line 3
            write(claim.resolve(BROKEN), lines);
            write(claim.resolve(FIXED), good);

            c.startOperator();
            c.apply(E2ePaths.manifests("malformed"));

            PreferenceDataset d = c.await(PreferenceDataset.class, "broken", Duration.ofMinutes(5),
                    x -> Statuses.phase(x) == DatasetPhase.Failed, x -> null);
            String message = Statuses.messages(d.getStatus().conditions);
            // file:line, the compiler-style position the trainer reports
            assertTrue(message.contains(BROKEN + ":3:"), "file and line named: " + message);
            List<Job> sample = c.jobsOf("broken");
            assertEquals(1, sample.size(), "one (sample) Job");
            assertEquals(1, c.podLogs(sample.get(0).getMetadata().getName()).size(),
                    "a permanent failure is not retried");

            AlignmentRun blocked = c.await(AlignmentRun.class, "broken-sft", Duration.ofMinutes(2),
                    r -> progressing(r).map(p -> "DatasetFailed".equals(p.getReason())).orElse(false),
                    Statuses::failure);
            assertEquals(RunPhase.WaitingForDataset, Statuses.phase(blocked));
            Condition p = progressing(blocked).orElseThrow();
            assertEquals("False", p.getStatus(), "blocked: " + p.getMessage());
            assertTrue(p.getMessage().contains("PreferenceDataset broken failed") && p.getMessage()
                    .contains(BROKEN + ":3:"), "the run says what blocks it: " + p.getMessage());
            assertEquals(List.of(), c.jobsOf("broken-sft"), "no Job for the blocked run");

            // The fix: the dataset points at the corrected file (a spec change reruns its failed stage).
            long fixed = c.edit(PreferenceDataset.class, "broken", x -> {
                x.getSpec().prompts.path = FIXED;
                return x;
            }).getMetadata().getGeneration();
            c.await(PreferenceDataset.class, "broken", TrainingInterruptions.LONG,
                    x -> Statuses.phase(x) == DatasetPhase.Ready,
                    x -> x.getStatus().observedGeneration < fixed ? null : Statuses.failure(x));
            AlignmentRun run = c.await(AlignmentRun.class, "broken-sft", TrainingInterruptions.LONG,
                    r -> Statuses.phase(r) == RunPhase.Succeeded, Statuses::failure);
            assertEquals(1, c.jobsOf("broken-sft").size(), "one training Job once unblocked");
            assertTrue(run.getStatus().output != null, "the run trained on the fixed dataset");
        }
    }

    private static java.util.Optional<Condition> progressing(AlignmentRun r) {
        return r.getStatus() == null || r.getStatus().conditions == null ? java.util.Optional.empty()
                : r.getStatus().conditions.stream().filter(x -> "Progressing".equals(x.getType())).findFirst();
    }

    private static void write(Path file, List<String> lines) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }
}
