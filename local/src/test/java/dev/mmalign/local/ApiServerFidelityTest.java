package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Guards that local mode's API server behaves like kube-apiserver where a user notices: custom resources validated
 * against their CRDs on create, update and patch (422 naming the field, unknown fields pruned or refused, defaults
 * filled in), Events found by {@code fieldSelector} (kubectl describe), and the CRDs' OpenAPI v3 documents
 * (kubectl explain), status writes with optimistic locking, and watches streamed to kubectl (get -w).
 */
class ApiServerFidelityTest {

    private static final ResourceDefinitionContext ALIGNMENT_RUNS = new ResourceDefinitionContext.Builder()
            .withGroup("mmalign.dev").withVersion("v1alpha1").withPlural("alignmentruns").withKind("AlignmentRun")
            .withNamespaced(true).build();

    @RegisterExtension
    static final ApiServerPerClass SERVER = ApiServerPerClass.withCrds();

    private static GenericKubernetesResource run(String name, String spec) {
        return Serialization.unmarshal("""
                {"apiVersion":"mmalign.dev/v1alpha1","kind":"AlignmentRun","metadata":{"name":"%s"},"spec":%s}"""
                .formatted(name, spec), GenericKubernetesResource.class);
    }

    private static final String VALID_SPEC = """
            {"method":"DPO","baseModel":{"path":"/models/base"},"dataset":{"name":"prefs"},
             "storage":{"claimName":"data"},"dpo":{"beta":0.1}}""";

    /** Guards: an invalid custom resource is refused with 422, reason Invalid, and a cause naming the field. */
    @Test
    void invalidCustomResourceIsRefusedNamingTheField() {
        KubernetesClientException e = assertThrows(KubernetesClientException.class, () ->
                SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("v").resource(
                        run("bad-beta", VALID_SPEC.replace("0.1", "-1"))).create());
        assertEquals(422, e.getCode(), e.getMessage());
        assertEquals("Invalid", e.getStatus().getReason());
        List<String> fields = e.getStatus().getDetails().getCauses().stream().map(StatusCause::getField).toList();
        assertEquals(List.of("spec.dpo.beta"), fields, e.getMessage());
        assertTrue(e.getStatus().getMessage().startsWith("AlignmentRun.mmalign.dev \"bad-beta\" is invalid: "
                + "spec.dpo.beta: Invalid value: -1"), e.getStatus().getMessage());
        assertEquals(null, SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("v").withName("bad-beta")
                .get());
    }

    /** Guards: a stored object is pruned of unknown fields and defaulted; a merge patch that would make it invalid
     * is refused and leaves it as it was; a valid merge patch replaces lists (RFC 7386) instead of appending. */
    @Test
    void storedObjectsArePrunedDefaultedAndPatchesValidated() {
        GenericKubernetesResource created = SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("v")
                .resource(run("good", VALID_SPEC.replace("\"dpo\":", "\"typo\":1,\"dpo\":"))).create();
        Map<?, ?> spec = (Map<?, ?>) created.getAdditionalProperties().get("spec");
        assertFalse(spec.containsKey("typo"), "unknown field pruned: " + spec);
        assertNotEquals(null, ((Map<?, ?>) spec.get("dpo")).get("lossType"), "defaults filled in: " + spec);

        KubernetesClientException e = assertThrows(KubernetesClientException.class, () ->
                SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("v").withName("good")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"method\":\"dpo\"}}"));
        assertEquals(422, e.getCode(), e.getMessage());
        assertEquals("spec.method", e.getStatus().getDetails().getCauses().get(0).getField());
        Map<?, ?> after = (Map<?, ?>) SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("v")
                .withName("good").get().getAdditionalProperties().get("spec");
        assertEquals("DPO", after.get("method"));
    }

    /** Guards optimistic locking of status writes (what the operator's status writer relies on): a status PUT with
     * the resourceVersion it read is a 409 once a pod has merge-patched its progress since, and succeeds again with
     * the version it re-reads. */
    @Test
    void staleStatusPutConflicts() {
        var runs = SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("s");
        GenericKubernetesResource read = runs.resource(run("locked", VALID_SPEC)).create();
        runs.withName("locked").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"progress\":{\"current\":7}}}");
        read.getAdditionalProperties().put("status", Map.of("phase", "Suspended"));
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
                () -> runs.resource(read).updateStatus());
        assertEquals(409, e.getCode(), e.getMessage());

        GenericKubernetesResource latest = runs.withName("locked").get();
        latest.getAdditionalProperties().put("status", Map.of("phase", "Suspended"));
        runs.resource(latest).updateStatus();
        assertEquals(Map.of("phase", "Suspended"), runs.withName("locked").get().getAdditionalProperties()
                .get("status"));
    }

    /** Guards fieldSelector on lists (what kubectl describe sends for Events): =, == and != on any dotted field. */
    @Test
    void listsHonourFieldSelectors() {
        for (String object : List.of("a", "b")) {
            SERVER.client().v1().events().inNamespace("f").resource(new EventBuilder().withNewMetadata().withName(object + ".1")
                    .endMetadata().withNewInvolvedObject().withKind("AlignmentRun").withName(object)
                    .withNamespace("f").endInvolvedObject().withReason("R").build()).create();
        }
        assertEquals(List.of("a.1"), SERVER.client().v1().events().inNamespace("f").withField("involvedObject.name", "a")
                .withField("involvedObject.kind", "AlignmentRun").list().getItems().stream()
                .map(e -> e.getMetadata().getName()).toList());
        assertEquals(List.of("b.1"), SERVER.client().v1().events().inNamespace("f").withoutField("involvedObject.name", "a")
                .list().getItems().stream().map(e -> e.getMetadata().getName()).toList());
        assertEquals(List.of(), SERVER.client().v1().events().inNamespace("f").withField("involvedObject.kind", "Pod")
                .list().getItems());
    }

    /** Guards {@code kubectl get -w}: the real kubectl's watch streams an ADDED and a MODIFIED event of a run created
     * and changed after the watch started, and the server closes the stream when kubectl is stopped. */
    @Test
    void kubectlWatchStreamsChanges(@TempDir Path home) throws Exception {
        assumeTrue(Kubectl.available(), "kubectl not on PATH");
        Kubectl kubectl = new Kubectl(SERVER.api().url(), home);
        Process watch = kubectl.start("get", "alignmentruns", "-n", "w", "--watch-only", "--output-watch-events");
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    System.out.println("kubectl get -w: " + line);
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> SERVER.api().openWatchStreams() == 1 || !watch.isAlive());
            assertTrue(watch.isAlive(), "kubectl exited: " + lines);

            var runs = SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("w");
            runs.resource(run("watched", VALID_SPEC)).create();
            assertTrue(nextLine(lines).matches("ADDED\\s+watched\\b.*"), lines.toString());
            runs.withName("watched").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"status\":{\"phase\":\"Training\"}}");
            String modified = nextLine(lines);
            assertTrue(modified.matches("MODIFIED\\s+watched\\b.*"), modified);
            assertTrue(modified.contains("Training"), "the Table row shows the new phase: " + modified);
        } finally {
            watch.destroy();
            assertTrue(watch.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "kubectl did not stop");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> SERVER.api().openWatchStreams() == 0);
    }

    /** The next line kubectl printed that is not the header (generous wait: a loaded machine). */
    private static String nextLine(java.util.concurrent.BlockingQueue<String> lines) throws InterruptedException {
        while (true) {
            String line = lines.poll(60, java.util.concurrent.TimeUnit.SECONDS);
            if (line == null) {
                throw new AssertionError("kubectl printed nothing within 60 s");
            }
            if (!line.startsWith("EVENT")) {
                return line;
            }
        }
    }

    /** Guards kubectl's view: apply of a bad manifest prints the server's field error; describe shows the
     * resource's Events (fieldSelector on involvedObject); explain reads the CRD's schema (OpenAPI v3). */
    @Test
    void kubectlSeesFieldErrorsEventsAndExplain(@TempDir Path home) throws Exception {
        assumeTrue(Kubectl.available(), "kubectl not on PATH");
        Kubectl kubectl = new Kubectl(SERVER.api().url(), home);
        Path bad = home.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: mmalign.dev/v1alpha1
                kind: AlignmentRun
                metadata: {name: hot}
                spec: {method: DPO, baseModel: {path: /m}, dataset: {name: p}, storage: {claimName: d},
                       dpo: {beta: -2}}
                """);
        Kubectl.Result apply = kubectl.run("apply", "--validate=false", "-n", "k", "-f", bad.toString());
        assertNotEquals(0, apply.exitCode(), apply.output());
        assertTrue(apply.output().contains("is invalid: spec.dpo.beta: Invalid value: -2"), apply.output());

        Kubectl.Result explain = kubectl.run("explain", "alignmentrun.spec.dpo");
        assertEquals(0, explain.exitCode(), explain.output());
        assertTrue(explain.output().contains("beta"), explain.output());

        String uid = SERVER.client().genericKubernetesResources(ALIGNMENT_RUNS).inNamespace("k").resource(run("seen", VALID_SPEC))
                .create().getMetadata().getUid();
        for (String object : List.of("seen", "other")) {
            SERVER.client().v1().events().inNamespace("k").resource(new EventBuilder().withNewMetadata()
                    .withName(object + ".1").endMetadata().withNewInvolvedObject().withApiVersion("mmalign.dev/v1alpha1")
                    .withKind("AlignmentRun").withName(object).withNamespace("k")
                    .withUid(object.equals("seen") ? uid : "other-uid").endInvolvedObject()
                    .withType("Normal").withReason("Reason-" + object).withMessage("about " + object).build()).create();
        }
        Kubectl.Result describe = kubectl.run("describe", "-n", "k", "alignmentrun", "seen");
        assertEquals(0, describe.exitCode(), describe.output());
        String events = describe.output().substring(describe.output().indexOf("Events:"));
        assertTrue(events.lines().anyMatch(l -> l.contains("Normal") && l.contains("Reason-seen")
                && l.contains("about seen")), describe.output());
        assertFalse(describe.output().contains("Reason-other"), describe.output());

    }
}
