package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class EmbeddedApiServerTest {

    private static final ResourceDefinitionContext ALIGNMENT_RUNS = new ResourceDefinitionContext.Builder()
            .withGroup("mmalign.dev").withVersion("v1alpha1").withPlural("alignmentruns").withKind("AlignmentRun")
            .withNamespaced(true).build();

    @RegisterExtension
    static final ApiServerPerClass SERVER = ApiServerPerClass.withCrds();

    /** Guards: the server listens on the loopback address only, and discovery of the mmalign group is derived
     * from the installed CRDs (names, short names, categories, scope, status subresource). */
    @Test
    void discoveryOfMmalignKindsComesFromTheCrds() throws Exception {
        assertTrue(SERVER.api().url().startsWith("http://127.0.0.1:"));
        HttpClient http = HttpClient.newHttpClient();
        String body = http.send(HttpRequest.newBuilder(URI.create(SERVER.api().url() + "/apis/mmalign.dev/v1alpha1")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(body.contains("\"name\":\"alignmentruns\""), body);
        assertTrue(body.contains("\"name\":\"alignmentruns/status\""), body);
        assertTrue(body.contains("\"arun\""), body);
        assertTrue(body.contains("\"mmalign\""), body);
        assertTrue(body.contains("\"name\":\"preferencedatasets\""), body);
        assertTrue(body.contains("\"name\":\"benchmarksuites\""), body);
        String groups = http.send(HttpRequest.newBuilder(URI.create(SERVER.api().url() + "/apis")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(groups.contains("\"mmalign.dev/v1alpha1\""), groups);
        assertTrue(groups.contains("\"batch/v1\""), groups);
    }

    /** Guards the kubectl workflow of local mode: apply of the quickstart manifests (and re-apply), get (by plural
     * names, by category, -o yaml, with the CRDs' printer columns, Jobs), patch of the status subresource, delete. */
    @Test
    void kubectlAppliesGetsPatchesStatusAndDeletes(@TempDir Path home) throws Exception {
        assumeTrue(Kubectl.available(), "kubectl not on PATH");
        Kubectl kubectl = new Kubectl(SERVER.api().url(), home);
        Path quickstart = TestPaths.repoRoot().resolve("examples/quickstart");

        Kubectl.Result apply = kubectl.run("apply", "--validate=false", "-n", "kc", "-f", quickstart.toString());
        assertEquals(0, apply.exitCode(), apply.output());
        assertTrue(apply.output().contains("alignmentrun.mmalign.dev/quickstart-dpo created"), apply.output());

        Kubectl.Result get = kubectl.run("get", "-n", "kc", "preferencedatasets,alignmentruns,benchmarksuites");
        assertEquals(0, get.exitCode(), get.output());
        assertTrue(get.output().contains("preferencedataset.mmalign.dev/quickstart"), get.output());
        assertTrue(get.output().contains("alignmentrun.mmalign.dev/quickstart-dpo"), get.output());
        assertTrue(get.output().contains("benchmarksuite.mmalign.dev/quickstart-compare"), get.output());

        Kubectl.Result byCategory = kubectl.run("get", "-n", "kc", "mmalign", "-o", "name");
        assertEquals(0, byCategory.exitCode(), byCategory.output());
        assertTrue(byCategory.output().contains("alignmentrun.mmalign.dev/quickstart-dpo"), byCategory.output());

        Kubectl.Result yaml = kubectl.run("get", "-n", "kc", "arun", "quickstart-dpo", "-o", "yaml");
        assertEquals(0, yaml.exitCode(), yaml.output());
        assertTrue(yaml.output().contains("method: DPO"), yaml.output());

        Kubectl.Result reapply = kubectl.run("apply", "--validate=false", "-n", "kc", "-f", quickstart.toString());
        assertEquals(0, reapply.exitCode(), reapply.output());

        Kubectl.Result patch = kubectl.run("patch", "-n", "kc", "alignmentrun", "quickstart-dpo",
                "--subresource=status", "--type=merge", "-p", "{\"status\":{\"phase\":\"Training\"}}");
        assertEquals(0, patch.exitCode(), patch.output());
        Kubectl.Result afterPatch = kubectl.run("get", "-n", "kc", "arun", "quickstart-dpo", "-o", "yaml");
        assertTrue(afterPatch.output().contains("phase: Training"), afterPatch.output());
        Kubectl.Result columns = kubectl.run("get", "-n", "kc", "alignmentruns");
        assertEquals(0, columns.exitCode(), columns.output());
        assertTrue(columns.output().contains("METHOD") && columns.output().contains("PHASE"), columns.output());
        assertTrue(columns.output().lines().anyMatch(l -> l.startsWith("quickstart-dpo") && l.contains("DPO")
                && l.contains("Training")), columns.output());
        GenericKubernetesResource run = SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("kc")
                .withName("quickstart-dpo").get();
        assertEquals("Training", ((Map<?, ?>) run.getAdditionalProperties().get("status")).get("phase"));

        SERVER.client().batch().v1().jobs().inNamespace("kc").resource(new JobBuilder().withNewMetadata()
                .withName("stage-job").endMetadata().withNewSpec().withSuspend(true).withNewTemplate().withNewSpec()
                .addNewContainer().withName("main").withImage("none").endContainer().withRestartPolicy("Never")
                .endSpec().endTemplate().endSpec().build()).create();
        Kubectl.Result jobs = kubectl.run("get", "-n", "kc", "jobs,pods");
        assertEquals(0, jobs.exitCode(), jobs.output());
        assertTrue(jobs.output().lines().anyMatch(l -> l.startsWith("job.batch/stage-job") && l.contains("Running")),
                jobs.output());

        Kubectl.Result delete = kubectl.run("delete", "-n", "kc", "alignmentrun", "quickstart-dpo");
        assertEquals(0, delete.exitCode(), delete.output());
        assertNull(SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("kc").withName("quickstart-dpo")
                .get());
    }

    /** Guards the stand-in garbage collector: deleting an owner deletes what it owns, transitively
     * (owner → Job → Pod), and leaves unrelated objects alone. */
    @Test
    void deletingAnOwnerCascadesToWhatItOwns() {
        ConfigMap owner = SERVER.client().configMaps().inNamespace("gc").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("owner").endMetadata().build()).create();
        Job job = SERVER.client().batch().v1().jobs().inNamespace("gc").resource(new JobBuilder()
                .withNewMetadata().withName("owned-job").withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("v1").withKind("ConfigMap").withName("owner")
                        .withUid(owner.getMetadata().getUid()).withController(true).build()).endMetadata()
                .withNewSpec().withSuspend(true).withNewTemplate().withNewSpec().addNewContainer().withName("c")
                .withImage("none").endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec()
                .build()).create();
        Pod pod = SERVER.client().pods().inNamespace("gc").resource(new PodBuilder()
                .withNewMetadata().withName("owned-pod").withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("batch/v1").withKind("Job").withName("owned-job")
                        .withUid(job.getMetadata().getUid()).build()).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("none").endContainer().endSpec().build())
                .create();
        SERVER.client().configMaps().inNamespace("gc").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("bystander").endMetadata().build()).create();
        assertNotNull(pod.getMetadata().getUid());

        SERVER.client().configMaps().inNamespace("gc").withName("owner").delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertNull(SERVER.client().batch().v1().jobs().inNamespace("gc").withName("owned-job").get());
            assertNull(SERVER.client().pods().inNamespace("gc").withName("owned-pod").get());
        });
        assertNotNull(SERVER.client().configMaps().inNamespace("gc").withName("bystander").get());
    }

    /** Guards cascading from a DELETE of a whole collection (kubectl delete configmaps --all): each removed owner's
     * dependents go too, as in a cluster. */
    @Test
    void deletingACollectionCascadesToWhatItsObjectsOwn() {
        ConfigMap owner = SERVER.client().configMaps().inNamespace("gcc").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("owner").endMetadata().build()).create();
        SERVER.client().secrets().inNamespace("gcc").resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata().withName("owned").withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("v1").withKind("ConfigMap").withName("owner")
                        .withUid(owner.getMetadata().getUid()).build()).endMetadata().build()).create();

        SERVER.client().configMaps().inNamespace("gcc").delete();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertNull(SERVER.client().secrets().inNamespace("gcc").withName("owned").get()));
        assertNull(SERVER.client().configMaps().inNamespace("gcc").withName("owner").get());
    }

    /** Guards cascading when the owner has a finalizer (JOSDK adds one): nothing goes while the owner is only
     * marked for deletion; removing the last finalizer removes the owner and then its dependents. */
    @Test
    void cascadeWaitsForTheOwnersFinalizers() {
        ConfigMap owner = SERVER.client().configMaps().inNamespace("gcf").resource(new ConfigMapBuilder()
                .withNewMetadata().withName("owner").withFinalizers("mmalign.dev/finalizer").endMetadata().build())
                .create();
        SERVER.client().configMaps().inNamespace("gcf").resource(new ConfigMapBuilder().withNewMetadata().withName("child")
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("ConfigMap")
                        .withName("owner").withUid(owner.getMetadata().getUid()).build())
                .endMetadata().build()).create();

        SERVER.client().configMaps().inNamespace("gcf").withName("owner").delete();
        ConfigMap marked = SERVER.client().configMaps().inNamespace("gcf").withName("owner").get();
        assertNotNull(marked.getMetadata().getDeletionTimestamp());
        assertNotNull(SERVER.client().configMaps().inNamespace("gcf").withName("child").get());

        SERVER.client().configMaps().inNamespace("gcf").withName("owner").edit(cm -> {
            cm.getMetadata().setFinalizers(java.util.List.of());
            return cm;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertNull(SERVER.client().configMaps().inNamespace("gcf").withName("owner").get());
            assertNull(SERVER.client().configMaps().inNamespace("gcf").withName("child").get());
        });
    }

    /** Guards a long session's memory: the server holds no request once it is answered (the mock server would keep
     * each one, body included, for the whole session), and records request lines only when asked to. */
    @Test
    void holdsNoAnsweredRequestAndRecordsLinesOnlyWhenAsked() {
        try (EmbeddedApiServer own = EmbeddedApiServer.start(0)) {
            KubernetesClient c = own.client();
            for (int i = 0; i < 20; i++) {
                c.configMaps().inNamespace("held").resource(new ConfigMapBuilder()
                        .withNewMetadata().withName("cm-" + i).endMetadata().addToData("k", "v".repeat(1000))
                        .build()).create();
            }
            assertEquals(0, own.heldRequests());
            assertTrue(own.takeRequests().isEmpty(), "nothing recorded unless asked");

            own.recordRequests();
            c.configMaps().inNamespace("held").withName("cm-3").get();
            assertEquals(java.util.List.of("GET /api/v1/namespaces/held/configmaps/cm-3"), own.takeRequests());
            assertTrue(own.takeRequests().isEmpty(), "taken once");
            assertEquals(0, own.heldRequests());
        }
    }
}
