package dev.mmalign.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards when admission builds the CRDs' validator (CEL compilation, seconds on a loaded machine, which the API
 * front keeps off its event loop by asking {@link CustomResourceAdmission#ready()}): a write of something no stored
 * CRD defines (a CRD itself, a built-in kind) builds nothing, a custom resource builds it once, and a changed CRD
 * makes it stale again.
 */
class CustomResourceAdmissionTest {

    private static JsonNode crdList(String... files) throws Exception {
        ObjectNode list = Serialization.jsonMapper().createObjectNode();
        ArrayNode items = list.putArray("items");
        int uid = 0;
        for (String file : files) {
            JsonNode crd = Serialization.yamlMapper().readTree(
                    Files.readString(TestPaths.repoRoot().resolve("crds").resolve(file)));
            ObjectNode metadata = (ObjectNode) crd.path("metadata");
            metadata.put("uid", "uid-" + uid++).put("resourceVersion", "1");
            items.add(crd);
        }
        return list;
    }

    @Test
    void buildsTheValidatorOnlyForCustomResourcesAndAgainWhenACrdChanges() throws Exception {
        AtomicReference<JsonNode> stored = new AtomicReference<>(crdList("alignmentruns.mmalign.dev-v1.yml"));
        CustomResourceAdmission admission = new CustomResourceAdmission(stored::get);
        assertFalse(admission.ready(), "nothing built before the first custom resource");

        assertTrue(admission.admit("""
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                 "metadata":{"name":"x.example.com"}}""", null, null, null).isEmpty());
        assertTrue(admission.admit("""
                {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"}}""", null, null, null).isEmpty());
        assertFalse(admission.ready(), "writes of kinds no stored CRD defines build no validator");

        assertTrue(admission.admit("""
                {"apiVersion":"mmalign.dev/v1alpha1","kind":"AlignmentRun","metadata":{"name":"r"},
                 "spec":{"method":"DPO","baseModel":{"path":"/m"},"dataset":{"name":"d"},
                 "storage":{"claimName":"c"}}}""", null, null, null).isPresent());
        assertTrue(admission.ready(), "built by the first custom resource");

        JsonNode changed = crdList("alignmentruns.mmalign.dev-v1.yml");
        ((ObjectNode) changed.path("items").path(0).path("metadata")).put("resourceVersion", "2");
        stored.set(changed);
        assertFalse(admission.ready(), "a changed CRD makes the validator stale");
        admission.validator();
        assertTrue(admission.ready());
    }
}
