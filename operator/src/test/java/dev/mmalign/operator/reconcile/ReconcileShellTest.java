package dev.mmalign.operator.reconcile;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which reconcile errors count as permanent, and how an error reads in a condition (pure). */
class ReconcileShellTest {

    private static KubernetesClientException answered(int code, String message) {
        return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
    }

    /** Guards the error semantics: only an invalid request (400, 422) is permanent, wherever it is in the causes;
     * server errors, conflicts, missing permissions and bugs are retried. */
    @Test
    void onlyInvalidRequestsArePermanent() {
        assertTrue(ReconcileShell.isPermanent(answered(422, "invalid")));
        assertTrue(ReconcileShell.isPermanent(answered(400, "bad request")));
        assertTrue(ReconcileShell.isPermanent(new IllegalStateException("wrapped", answered(422, "invalid"))));
        assertFalse(ReconcileShell.isPermanent(answered(500, "etcd timeout")));
        assertFalse(ReconcileShell.isPermanent(answered(409, "conflict")));
        assertFalse(ReconcileShell.isPermanent(answered(403, "forbidden")));
        assertFalse(ReconcileShell.isPermanent(new NullPointerException()));
    }

    /** Guards the message: the API server's own words rather than the client's request dump. */
    @Test
    void describesAnErrorInOneLine() {
        assertEquals("API server answered 403: jobs.batch is forbidden",
                ReconcileShell.describe(answered(403, "jobs.batch is forbidden")));
        assertEquals("IllegalArgumentException: not a dataset stage: train",
                ReconcileShell.describe(new IllegalArgumentException("not a dataset stage: train")));
        assertEquals("NullPointerException", ReconcileShell.describe(new NullPointerException()));
    }
}
