package dev.mmalign.operator;

import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.TerminationMessage;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an SRE scrapes and probes: /q/metrics and /q/health. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MetricsAndHealthTest extends OperatorTestBase {

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @TestHTTPResource("/q/health/ready")
    URL ready;

    @TestHTTPResource("/q/health/live")
    URL live;

    private static HttpResponse<String> get(URL url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Guards the operator's metrics: reconcile counts and durations, resources by phase, Job failures by reason,
     * and accelerator-seconds (1 GPU x 2 shards x 60 s). */
    @Test
    void prometheusMetricsCoverReconcilesPhasesFailuresAndGpuSeconds() throws Exception {
        String ns = "metrics";
        client.resource(Fixtures.dataset(ns, "gpu")).create();
        kubelet.awaitJob(ns, "gpu-sample-1");
        kubelet.start(ns, "gpu-sample-1");
        for (int i = 0; i < 2; i++) {
            kubelet.succeed(ns, "gpu-sample-1", i, Fixtures.result(StageName.sample, Map.of(), Map.of(), Map.of()));
        }
        kubelet.awaitJob(ns, "gpu-annotate-1");
        kubelet.start(ns, "gpu-annotate-1");
        kubelet.fail(ns, "gpu-annotate-1", 0, 3, TerminationMessage.encode(Fixtures.failure(StageName.annotate,
                "budget of 1.00 USD spent")), true, "PodFailurePolicy");
        awaitResource(PreferenceDataset.class, ns, "gpu", d -> d.getStatus().phase == DatasetPhase.Failed);

        // The gauges read the operator's cache, which follows the API server shortly after.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String text = get(metrics).body();
            assertTrue(text.contains(
                    "mmalign_reconcile_seconds_count{kind=\"PreferenceDataset\",outcome=\"success\"}"), text);
            assertTrue(text.contains("mmalign_resources{kind=\"PreferenceDataset\",phase=\"Failed\"} 1.0"), text);
            assertTrue(text.contains("mmalign_resources{kind=\"AlignmentRun\",phase=\"Training\"} 0.0"), text);
            assertTrue(text.contains("mmalign_job_failures_total{kind=\"PreferenceDataset\",reason=\"BudgetExhausted\","
                    + "stage=\"annotate\"} 1.0"), text);
            assertTrue(text.contains("mmalign_gpu_seconds_total{kind=\"PreferenceDataset\"} 120.0"), text);
        });
    }

    /** Guards the probes the Deployment uses. */
    @Test
    void healthProbesAnswer() throws Exception {
        assertEquals(200, get(live).statusCode());
        var r = get(ready);
        assertEquals(200, r.statusCode(), r.body());
    }
}
