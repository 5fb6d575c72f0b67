package dev.mmalign.operator.testing;

import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.stage.StageName;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import static dev.mmalign.operator.testing.Fixtures.result;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Shared set-up of the operator tests against the mock API server in CRUD mode. */
public abstract class OperatorTestBase {

    @KubernetesTestServer
    protected KubernetesServer server;

    @Inject
    protected KubernetesClient operatorClient;

    protected KubernetesClient client;
    protected Kubelet kubelet;

    @BeforeEach
    void setUpClients() {
        client = TestClients.forTests(operatorClient);
        kubelet = new Kubelet(client);
    }

    /** Guards least privilege: every request the operator sent during the test is allowed by its declared RBAC. */
    @AfterEach
    void operatorStayedWithinItsPermissions() throws InterruptedException {
        var denied = RecordedRequests.notAllowed(
                RecordedRequests.drainOperatorRequests(server.getKubernetesMockServer()));
        assertEquals(List.of(), denied, "requests the chart's RBAC would deny");
        client.close();
    }

    /**
     * Changes a resource as a user's client would: read, change, write with the read's resourceVersion, and on 409
     * Conflict read again and reapply the change (client-go's RetryOnConflict). The operator's status writes bump the
     * resourceVersion between a test's read and its write, so a single edit() fails now and then under load.
     */
    protected <T extends HasMetadata> T edit(Class<T> type, String ns, String name, UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return client.resources(type).inNamespace(ns).withName(name).edit(change);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 20) throw e;
            }
        }
    }

    /** Waits (generously) until the fresh object from the API server matches. */
    protected <T extends HasMetadata> T awaitResource(Class<T> type, String ns, String name, Predicate<T> until) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> client.resources(type).inNamespace(ns).withName(name).get(),
                        r -> r != null && until.test(r));
    }

    protected <T extends HasMetadata> T get(Class<T> type, String ns, String name) {
        return client.resources(type).inNamespace(ns).withName(name).get();
    }

    protected static Optional<Condition> condition(List<Condition> conditions, String type) {
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    protected static boolean isTrue(List<Condition> conditions, String type) {
        return condition(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    protected static boolean ready(List<Condition> conditions) {
        return isTrue(conditions, ConditionTypes.READY);
    }

    protected void driveDatasetToReady(String ns, String name) {
        driveDatasetToReady(ns, name, 1);
    }

    /** Plays the dataset's three stage Jobs of {@code generation} to success. */
    protected void driveDatasetToReady(String ns, String name, long generation) {
        for (String stage : List.of("sample", "annotate", "build")) {
            String job = name + "-" + stage + "-" + generation;
            kubelet.awaitJob(ns, job);
            kubelet.start(ns, job);
            int shards = kubelet.jobs(ns).stream().filter(j -> j.getMetadata().getName().equals(job)).findFirst()
                    .orElseThrow().getSpec().getCompletions();
            for (int i = 0; i < shards; i++) {
                kubelet.succeed(ns, job, i, result(StageName.valueOf(stage), Map.of("dpoPairs", 4L), Map.of(),
                        Map.of()));
            }
        }
        awaitResource(PreferenceDataset.class, ns, name, d -> d.getStatus().phase == DatasetPhase.Ready);
    }

    protected List<Event> events(String ns, String name) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    protected List<String> eventReasons(String ns, String name) {
        return events(ns, name).stream().map(Event::getReason).toList();
    }
}
