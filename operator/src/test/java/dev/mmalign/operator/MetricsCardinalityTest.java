package dev.mmalign.operator;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The number of metric series does not grow with the number of resources: creating and deleting resources of the
 * three kinds adds no series carrying a resource's name or namespace, at most one series per resource (in fact a
 * fixed set per kind), and the resources-by-phase gauges count them out again on delete.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class MetricsCardinalityTest extends OperatorTestBase {

    private static final String NS = "fleet-metrics";
    private static final int PER_KIND = 4;

    @TestHTTPResource("/q/metrics")
    URL metrics;

    /** The exposition's series (name with labels) and their values; comments left out. */
    private Map<String, Double> scrape() throws Exception {
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> series = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int space = line.lastIndexOf(' ');
                series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return series;
    }

    /** The help text of a metric family (the exposition names a counter's family without _total). */
    private static String help(String text, String name) {
        String family = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        return text.lines().filter(l -> l.startsWith("# HELP " + family + " ")).findFirst()
                .map(l -> l.substring(("# HELP " + family + " ").length())).orElse("");
    }

    /** Sum of mmalign_resources of a kind over its phases. */
    private static double resources(Map<String, Double> series, String kind) {
        return series.entrySet().stream()
                .filter(e -> e.getKey().startsWith("mmalign_resources{") && e.getKey().contains("kind=\"" + kind + "\""))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private List<HasMetadata> createBatch(int batch) {
        List<HasMetadata> created = new ArrayList<>();
        for (int i = 0; i < PER_KIND; i++) {
            String suffix = "b" + batch + "x" + i;
            created.add(client.resource(Fixtures.dataset(NS, "fleetds-" + suffix)).create());
            created.add(client.resource(Fixtures.runOnFile(NS, "fleetrun-" + suffix)).create());
            created.add(client.resource(Fixtures.suite(NS, "fleetsuite-" + suffix,
                    List.of(Fixtures.modelAt("base", "models/tiny")))).create());
        }
        for (HasMetadata r : created) {
            awaitResource(r.getClass(), NS, r.getMetadata().getName(), fresh -> phase(fresh) != null);
        }
        return created;
    }

    private static Object phase(HasMetadata r) {
        if (r instanceof PreferenceDataset d) {
            return d.getStatus() == null ? null : d.getStatus().phase;
        }
        if (r instanceof AlignmentRun a) {
            return a.getStatus() == null ? null : a.getStatus().phase;
        }
        BenchmarkSuite s = (BenchmarkSuite) r;
        return s.getStatus() == null ? null : s.getStatus().phase;
    }

    private static void assertNoSeriesNames(Map<String, Double> series, List<HasMetadata> resources) {
        for (String s : series.keySet()) {
            assertFalse(s.contains(NS), "a series carries the namespace: " + s);
            assertFalse(s.startsWith("operator_sdk_"), "the framework's per-resource metrics are not exported: " + s);
            for (HasMetadata r : resources) {
                assertFalse(s.contains(r.getMetadata().getName()), "a series carries a resource name: " + s);
            }
        }
    }

    /** Guards bounded cardinality: 2 x 12 resources created and deleted; no series names one of them, the series added
     * stay under one per resource, the framework's replacement metrics are there with help texts, and the gauges
     * count the resources out on delete. */
    @Test
    void seriesDoNotGrowWithResourcesAndGoWithThem() throws Exception {
        Map<String, Double> before = scrape();
        List<String> kinds = List.of("PreferenceDataset", "AlignmentRun", "BenchmarkSuite");
        Map<String, Double> countedBefore = new TreeMap<>();
        kinds.forEach(k -> countedBefore.put(k, resources(before, k)));

        List<HasMetadata> all = new ArrayList<>(createBatch(1));
        all.addAll(createBatch(2));
        // The gauges read the operator's cache, which follows the API server shortly after.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Double> now = scrape();
            for (String k : kinds) {
                assertEquals(countedBefore.get(k) + 2 * PER_KIND, resources(now, k), k);
            }
        });
        Map<String, Double> created = scrape();
        assertNoSeriesNames(created, all);
        Set<String> added = new TreeSet<>(created.keySet());
        added.removeAll(before.keySet());
        assertTrue(added.size() <= all.size(), "at most one series per resource; added " + added);

        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(metrics.toString())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(created.getOrDefault("mmalign_controller_events_total{action=\"ADDED\",kind=\"AlignmentRun\"}", 0.0)
                >= 2 * PER_KIND, text);
        assertTrue(created.containsKey("mmalign_controller_reconciles_in_flight{kind=\"BenchmarkSuite\"}"), text);
        for (String name : List.of("mmalign_controller_events_total", "mmalign_controller_reconciles_in_flight",
                "mmalign_resources", "mmalign_reconcile_seconds")) {
            assertFalse(help(text, name).isBlank(), "help text of " + name + " in\n" + text);
        }

        for (HasMetadata r : all) {
            client.resource(r).delete();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, Double> now = scrape();
            for (String k : kinds) {
                assertEquals(countedBefore.get(k), resources(now, k), k + " counted out on delete");
            }
        });
        Map<String, Double> deleted = scrape();
        assertNoSeriesNames(deleted, all);
        Set<String> left = new TreeSet<>(deleted.keySet());
        left.removeAll(before.keySet());
        assertTrue(left.size() <= all.size(), "nothing per resource stays after delete; added " + left);
    }
}
