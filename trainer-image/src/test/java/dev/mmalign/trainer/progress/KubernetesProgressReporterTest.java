package dev.mmalign.trainer.progress;

import dev.mmalign.api.Mmalign;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.stage.OwnerInfo;
import dev.mmalign.api.stage.Shard;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Guards the in-cluster reporter against the Fabric8 mock API server in CRUD mode: it writes .status.progress through
 * the status subresource and leaves every field the operator owns untouched; a missing resource does not throw;
 * shards of one stage each report their part, and a report that raced another write is folded again.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesProgressReporterTest {

    KubernetesClient client;
    KubernetesMockServer server;

    static final ResourceDefinitionContext DATASETS = new ResourceDefinitionContext.Builder()
            .withGroup(Mmalign.GROUP).withVersion(Mmalign.VERSION).withKind("PreferenceDataset")
            .withPlural("preferencedatasets").withNamespaced(true).build();

    @Test
    void patchesProgressOnlyAndClearsStaleFields() {
        GenericKubernetesResource ds = new GenericKubernetesResourceBuilder()
                .withApiVersion(Mmalign.API_VERSION).withKind("PreferenceDataset")
                .withNewMetadata().withName("ds1").withNamespace("ml").endMetadata()
                .build();
        ds.setAdditionalProperty("spec", Map.of("prompts", Map.of("path", "p.jsonl")));
        ds.setAdditionalProperty("status", Map.of("phase", "Annotating", "counts", Map.of("prompts", 10)));
        client.genericKubernetesResources(DATASETS).inNamespace("ml").resource(ds).create();

        OwnerInfo owner = new OwnerInfo("PreferenceDataset", "ml", "ds1", "uid-1", 1L);
        KubernetesProgressReporter reporter = new KubernetesProgressReporter(client, owner);
        Progress first = new Progress();
        first.stage = "annotate";
        first.current = 3L;
        first.total = 10L;
        first.message = "rate limited";
        reporter.report(first);
        Progress second = new Progress();
        second.stage = "annotate";
        second.current = 4L;
        second.total = 10L;
        reporter.report(second);

        GenericKubernetesResource after = client.genericKubernetesResources(DATASETS).inNamespace("ml")
                .withName("ds1").get();
        @SuppressWarnings("unchecked")
        Map<String, Object> status = (Map<String, Object>) after.getAdditionalProperties().get("status");
        assertEquals("Annotating", status.get("phase"), "the operator's fields are untouched");
        assertEquals(Map.of("prompts", 10), status.get("counts"));
        @SuppressWarnings("unchecked")
        Map<String, Object> progress = (Map<String, Object>) status.get("progress");
        assertEquals(4, ((Number) progress.get("current")).intValue());
        assertNull(progress.get("message"), "a field the new report lacks is cleared, not left stale");
    }

    @Test
    void aMissingResourceIsLoggedNotThrown() {
        OwnerInfo owner = new OwnerInfo("AlignmentRun", "ml", "gone", "uid-2", 1L);
        new KubernetesProgressReporter(client, owner).report(new Progress());
        assertEquals("alignmentruns", KubernetesProgressReporter.pluralOf("AlignmentRun"));
    }

    private GenericKubernetesResource createDataset(String name) {
        GenericKubernetesResource ds = new GenericKubernetesResourceBuilder()
                .withApiVersion(Mmalign.API_VERSION).withKind("PreferenceDataset")
                .withNewMetadata().withName(name).withNamespace("ml").endMetadata()
                .build();
        ds.setAdditionalProperty("status", Map.of("phase", "Sampling"));
        return client.genericKubernetesResources(DATASETS).inNamespace("ml").resource(ds).create();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> status(String name) {
        return (Map<String, Object>) client.genericKubernetesResources(DATASETS).inNamespace("ml").withName(name).get()
                .getAdditionalProperties().get("status");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> progress(String name) {
        return (Map<String, Object>) status(name).get("progress");
    }

    private static Progress sample(long current, long total) {
        Progress p = new Progress();
        p.stage = "sample";
        p.current = current;
        p.total = total;
        return p;
    }

    /**
     * Guards sharded stages: the pods of an Indexed Job report into the same resource, each under its own key, and
     * the stage figures are the fold of all of them (not whichever shard wrote last); a later unsharded stage
     * clears the shards.
     */
    @Test
    void shardsReportTheirPartAndTheStageFiguresFoldThemAll() {
        createDataset("sharded");
        OwnerInfo owner = new OwnerInfo("PreferenceDataset", "ml", "sharded", "uid-3", 1L);
        KubernetesProgressReporter shard0 = new KubernetesProgressReporter(client, owner, new Shard(0, 2));
        KubernetesProgressReporter shard1 = new KubernetesProgressReporter(client, owner, new Shard(1, 2));
        shard0.report(sample(9, 10));
        shard1.report(sample(1, 10));
        shard0.report(sample(10, 10));

        Map<String, Object> progress = progress("sharded");
        assertEquals(11, ((Number) progress.get("current")).intValue(), "10 + 1, not the last writer's 10");
        assertEquals(20, ((Number) progress.get("total")).intValue());
        assertEquals(55.0, ((Number) progress.get("percent")).doubleValue());
        assertEquals(Set.of("0", "1"), ((Map<?, ?>) progress.get("shards")).keySet());
        assertEquals("Sampling", status("sharded").get("phase"), "the operator's fields are untouched");

        Progress annotate = new Progress();
        annotate.stage = "annotate";
        annotate.current = 1L;
        new KubernetesProgressReporter(client, owner).report(annotate);
        assertNull(progress("sharded").get("shards"), "an unsharded stage leaves no shards behind");
        assertEquals(1, ((Number) progress("sharded").get("current")).intValue());
    }

    /**
     * Guards the optimistic lock: the first read is made to return a stale copy (without shard 1's report, and an old
     * resourceVersion), as if shard 1 had written between this shard's read and its write. The patch is refused (409)
     * and the fold is redone on the current status, so shard 1's report is not lost.
     */
    @Test
    void aReportThatRacedAnotherShardIsFoldedAgain() {
        GenericKubernetesResource created = createDataset("raced");
        OwnerInfo owner = new OwnerInfo("PreferenceDataset", "ml", "raced", "uid-4", 1L);
        new KubernetesProgressReporter(client, owner, new Shard(1, 2)).report(sample(7, 10));
        server.expect().get().withPath("/apis/mmalign.dev/v1alpha1/namespaces/ml/preferencedatasets/raced/status")
                .andReturn(200, created).once();

        new KubernetesProgressReporter(client, owner, new Shard(0, 2)).report(sample(2, 10));

        Map<String, Object> progress = progress("raced");
        assertEquals(Set.of("0", "1"), ((Map<?, ?>) progress.get("shards")).keySet(), "shard 1's report kept");
        assertEquals(9, ((Number) progress.get("current")).intValue());
    }
}
