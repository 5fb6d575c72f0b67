package dev.mmalign.operator.reconcile;

import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.mmalign.operator.testing.Fixtures.result;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reconcile that throws, against the mock API server answering the operator's Job creation with an error: the
 * error ends up in the resource's status (not only in the log), as a transient or a permanent one.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ReconcileErrorsTest extends OperatorTestBase {

    private static Status status(int code, String reason, String message) {
        return new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason).withMessage(message)
                .build();
    }

    private void failJobCreation(String ns, Status answer, int times) {
        server.expect().post().withPath("/apis/batch/v1/namespaces/" + ns + "/jobs")
                .andReturn(answer.getCode(), answer).times(times);
    }

    private static boolean progressingReason(PreferenceDataset d, String reason) {
        return d.getStatus() != null && condition(d.getStatus().conditions, ConditionTypes.PROGRESSING)
                .map(c -> reason.equals(c.getReason())).orElse(false);
    }

    /** Guards the transient case: the API server refusing the next stage's Job (a missing permission) gives
     * Progressing=False, reason ReconcileError, with the server's message and a Warning Event; the phase stays, the
     * resource is not Failed, and JOSDK's retries carry it on once the server accepts the Job. */
    @Test
    void transientErrorIsReportedInStatusAndRetried() {
        String ns = "err-transient";
        client.resource(Fixtures.dataset(ns, "flaky-api")).create();
        kubelet.awaitJob(ns, "flaky-api-sample-1");
        awaitResource(PreferenceDataset.class, ns, "flaky-api",
                d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.Sampling);

        // Three refusals: the first attempt and two of JOSDK's retries (2 s, then 3 s later) fail.
        failJobCreation(ns, status(403, "Forbidden", "jobs.batch is forbidden: cannot create resource \"jobs\""), 3);
        kubelet.start(ns, "flaky-api-sample-1");
        for (int i = 0; i < 2; i++) {
            kubelet.succeed(ns, "flaky-api-sample-1", i, result(StageName.sample, Map.of("prompts", 5L), Map.of(),
                    Map.of()));
        }

        PreferenceDataset failing = awaitResource(PreferenceDataset.class, ns, "flaky-api",
                d -> progressingReason(d, ReconcileShell.RECONCILE_ERROR));
        var progressing = condition(failing.getStatus().conditions, ConditionTypes.PROGRESSING).orElseThrow();
        assertEquals("False", progressing.getStatus());
        assertTrue(progressing.getMessage().contains("jobs.batch is forbidden"), progressing.getMessage());
        assertTrue(progressing.getMessage().contains("403"), progressing.getMessage());
        assertEquals(DatasetPhase.Sampling, failing.getStatus().phase, "a transient error keeps the phase");
        assertFalse(isTrue(failing.getStatus().conditions, ConditionTypes.FAILED));
        assertTrue(eventReasons(ns, "flaky-api").contains(ReconcileShell.RECONCILE_ERROR),
                eventReasons(ns, "flaky-api").toString());

        kubelet.awaitJob(ns, "flaky-api-annotate-1");
        PreferenceDataset recovered = awaitResource(PreferenceDataset.class, ns, "flaky-api",
                d -> d.getStatus().phase == DatasetPhase.Annotating);
        assertTrue(isTrue(recovered.getStatus().conditions, ConditionTypes.PROGRESSING));
        assertEquals("AnnotateRunning", condition(recovered.getStatus().conditions, ConditionTypes.PROGRESSING)
                .orElseThrow().getReason());
    }

    /** Guards the permanent case: the API server rejecting the Job as invalid (422) fails the resource with reason
     * ReconcileError and the server's message, without retrying; a spec change reconciles it again. */
    @Test
    void permanentErrorFailsTheResourceUntilTheSpecChanges() {
        String ns = "err-permanent";
        failJobCreation(ns, status(422, "Invalid",
                "Job.batch \"rejected-sample-1\" is invalid: metadata.labels: must be no more than 63 characters"), 1);
        client.resource(Fixtures.dataset(ns, "rejected")).create();

        PreferenceDataset failed = awaitResource(PreferenceDataset.class, ns, "rejected",
                d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.Failed);
        var cond = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("True", cond.getStatus());
        assertEquals(ReconcileShell.RECONCILE_ERROR, cond.getReason());
        assertTrue(cond.getMessage().contains("must be no more than 63 characters"), cond.getMessage());
        assertFalse(isTrue(failed.getStatus().conditions, ConditionTypes.PROGRESSING));
        // Not retried: a retry would create the Job (the mock server refuses only once).
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10))
                .until(() -> kubelet.jobs(ns).isEmpty()
                        && get(PreferenceDataset.class, ns, "rejected").getStatus().phase == DatasetPhase.Failed);

        edit(PreferenceDataset.class, ns, "rejected", d -> {
            d.getSpec().sampling.shards = 1;
            return d;
        });
        kubelet.awaitJob(ns, "rejected-sample-2");
        PreferenceDataset again = awaitResource(PreferenceDataset.class, ns, "rejected",
                d -> d.getStatus().phase == DatasetPhase.Sampling);
        assertFalse(isTrue(again.getStatus().conditions, ConditionTypes.FAILED));
    }
}
