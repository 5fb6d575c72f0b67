package dev.mmalign.operator.testing;

import dev.mmalign.api.common.Progress;
import dev.mmalign.api.run.AlignmentRun;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Guards the test server's fidelity: a status PUT with a resourceVersion older than a pod's report is a 409. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class StatusLockingTest extends OperatorTestBase {

    @Test
    void staleStatusPutConflictsAfterAPodsMergePatch() {
        String ns = "status-locking";
        client.resource(Fixtures.runOnFile(ns, "locked")).create();
        AlignmentRun read = awaitResource(AlignmentRun.class, ns, "locked", r -> r.getStatus() != null);
        client.resources(AlignmentRun.class).inNamespace(ns).withName("locked").subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"progress\":{\"current\":7}}}");
        read.getStatus().progress = new Progress();
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> client.resource(read).updateStatus());
        assertEquals(409, e.getCode());
    }
}
