package dev.mmalign.operator.k8s;

import dev.mmalign.operator.testing.OperatorTestBase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Guards that the operator's own client lets every reconcile thread have a request in flight (fabric8's default of 64
 * concurrent requests would make most of the reconcile threads wait in the client).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ClientConcurrencyTest extends OperatorTestBase {

    @ConfigProperty(name = "quarkus.operator-sdk.concurrent-reconciliation-threads")
    int reconcileThreads;

    @Test
    void theOperatorsClientAllowsARequestPerReconcileThreadBesidesItsDefault() {
        var config = operatorClient.getConfiguration();
        assertEquals(reconcileThreads + 64, config.getMaxConcurrentRequestsPerHost());
        assertEquals(reconcileThreads + 64, config.getMaxConcurrentRequests());
    }
}
