package dev.mmalign.operator.jobs;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import dev.mmalign.operator.testing.RecordedRequests;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards fleet-scale cost: from an AlignmentRun's create to its Job, the operator sends at most 6 requests per run
 * to the API server for the run and its children (5 creates: ServiceAccount, Role, RoleBinding, ConfigMap, Job; one
 * status write, a merge patch of what the reconcile changed), reading children from label-filtered informer caches,
 * and never creates one child twice (issue #14's target). The run's transition Events come on top (2 today, bounded
 * here too). Informers' list/watch calls are cluster-wide, so requests
 * are counted by the test's own namespace: those are the per-run ones. Before the caches: 23 requests per run.
 * Half the runs train on a PreferenceDataset by name, so the dataset and dependency-cycle look-ups are counted too
 * (they read the informers' caches; they were two GETs per run).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class ChildCacheRequestsTest extends OperatorTestBase {

    private static final int RUNS = 4;
    private static final int MAX_REQUESTS_PER_RUN = 6;
    private static final int MAX_EVENTS_PER_RUN = 2;

    @Test
    void fewRequestsPerRunFromCreateToJobAndNoSecondCreate() throws Exception {
        String ns = "fleet-requests";
        client.resource(Fixtures.dataset(ns, "prefs")).create();
        driveDatasetToReady(ns, "prefs");
        RecordedRequests.drainOperatorRequests(server.getKubernetesMockServer());
        for (int i = 0; i < RUNS; i++) {
            client.resource(i % 2 == 0 ? Fixtures.runOnFile(ns, "r" + i) : Fixtures.run(ns, "r" + i, "prefs"))
                    .create();
        }
        for (int i = 0; i < RUNS; i++) {
            kubelet.awaitJob(ns, "r" + i + "-train-1");
            awaitResource(AlignmentRun.class, ns, "r" + i, r -> r.getStatus() != null
                    && r.getStatus().stages != null && !r.getStatus().stages.isEmpty()
                    && r.getStatus().stages.get(0).jobName != null);
        }
        // Let any reconcile the creates triggered (the Job's informer event) finish before counting.
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        List<RecordedRequests.Access> ours = RecordedRequests.drainOperatorRequests(server.getKubernetesMockServer())
                .stream().filter(a -> a.raw().contains("/namespaces/" + ns + "/"))
                // The dataset's own reconciles (none expected once it is Ready) are not the runs' requests; a read
                // of the dataset is.
                .filter(a -> !(a.resource().startsWith("preferencedatasets") && !a.verb().equals("get")))
                .toList();
        String listing = ours.stream().map(RecordedRequests.Access::raw).collect(Collectors.joining("\n"));
        long events = ours.stream().filter(a -> a.resource().equals("events")).count();
        assertTrue(ours.size() - events <= (long) MAX_REQUESTS_PER_RUN * RUNS, (ours.size() - events)
                + " requests besides Events for " + RUNS + " runs (over " + MAX_REQUESTS_PER_RUN + " per run):\n"
                + listing);
        assertTrue(events <= (long) MAX_EVENTS_PER_RUN * RUNS, events + " Events for " + RUNS + " runs:\n" + listing);
        Map<String, Long> creates = ours.stream().filter(a -> a.verb().equals("create"))
                .collect(Collectors.groupingBy(a -> a.resource(), Collectors.counting()));
        for (String resource : List.of("serviceaccounts", "roles", "rolebindings", "configmaps", "jobs")) {
            assertEquals(RUNS, creates.getOrDefault(resource, 0L), "one create of " + resource + " per run:\n"
                    + listing);
        }
    }
}
