package dev.mmalign.trainer.progress;

import dev.mmalign.api.Mmalign;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.stage.OwnerInfo;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Guards the in-cluster reporter against the Fabric8 mock API server in CRUD mode: it writes .status.progress through
 * the status subresource and leaves every field the operator owns untouched; a missing resource does not throw.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesProgressReporterTest {

    KubernetesClient client;

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
}
