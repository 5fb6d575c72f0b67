package dev.mmalign.operator.dataset;

import dev.mmalign.api.common.ConditionTypes;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.StageState;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.stage.PodContract;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.testing.Fixtures;
import dev.mmalign.operator.testing.OperatorTestBase;
import dev.mmalign.operator.testing.PrinterTable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.mmalign.operator.testing.Fixtures.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PreferenceDataset against the mock API server, the test playing the Job controller and the kubelet. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class PreferenceDatasetReconcilerTest extends OperatorTestBase {

    @Inject
    PreferenceDatasetReconciler reconciler;

    private PreferenceDataset create(String ns, String name) {
        return client.resource(Fixtures.dataset(ns, name)).create();
    }

    private void sampleSucceeds(String ns, String job) {
        kubelet.start(ns, job);
        for (int i = 0; i < 2; i++) {
            kubelet.succeed(ns, job, i, result(StageName.sample, Map.of("prompts", 5L, "completions", 20L),
                    Map.of(), Map.of()));
        }
    }

    private void annotateSucceeds(String ns, String job) {
        kubelet.start(ns, job);
        kubelet.succeed(ns, job, 0, result(StageName.annotate,
                Map.of("annotated", 9L, "quarantined", 1L, "requests", 12L, "inputTokens", 30000L,
                        "outputTokens", 4000L),
                Map.of("costUSD", 0.0425, "mean/helpfulness", 2.5, "mean/correctness", 3.0), Map.of()));
    }

    private void buildSucceeds(String ns, String name, String job) {
        kubelet.start(ns, job);
        kubelet.succeed(ns, job, 0, result(StageName.build,
                Map.of("dpoPairs", 7L, "promptsWithoutPair", 2L, "rejectionSampling", 9L, "steerLM", 36L,
                        "goldSFT", 10L),
                Map.of(), Map.of("summary", "mmalign/datasets/" + name + "/sets/summary.json")));
    }

    /** Guards the whole pipeline: sample (Indexed, 2 shards) → annotate → build → Ready, with counts, cost, artifacts,
     * per-stage state, conditions, observedGeneration, Events, and owner references on every child. */
    @Test
    void happyPathRunsEveryStageInOrderToReady() throws Exception {
        String ns = "ds-happy";
        PreferenceDataset ds = create(ns, "quickstart");

        Job sample = kubelet.awaitJob(ns, "quickstart-sample-1");
        assertEquals("Indexed", sample.getSpec().getCompletionMode());
        assertEquals(2, sample.getSpec().getCompletions());
        assertEquals("nvidia.com/gpu", sample.getSpec().getTemplate().getSpec().getContainers().get(0).getResources()
                .getLimits().keySet().stream().filter(k -> k.contains("gpu")).findFirst().orElseThrow());
        var spec = Json.MAPPER.readValue(client.configMaps().inNamespace(ns).withName("quickstart-sample-1-spec").get()
                .getData().get(PodContract.SPEC_KEY), StageSpec.class);
        assertEquals(StageName.sample, spec.stage);
        assertEquals("models/tiny", spec.paths.inputs.get("model"));
        assertEquals("mmalign/datasets/quickstart/completions", spec.paths.outputDir);
        awaitResource(PreferenceDataset.class, ns, "quickstart", d -> d.getStatus() != null
                && d.getStatus().phase == DatasetPhase.Sampling);
        // The annotate Job must not exist before sample succeeded.
        assertEquals(1, kubelet.jobs(ns).size());

        sampleSucceeds(ns, "quickstart-sample-1");
        kubelet.awaitJob(ns, "quickstart-annotate-1");
        awaitResource(PreferenceDataset.class, ns, "quickstart", d -> d.getStatus().phase == DatasetPhase.Annotating);
        annotateSucceeds(ns, "quickstart-annotate-1");
        kubelet.awaitJob(ns, "quickstart-build-1");
        buildSucceeds(ns, "quickstart", "quickstart-build-1");

        PreferenceDataset done = awaitResource(PreferenceDataset.class, ns, "quickstart",
                d -> d.getStatus().phase == DatasetPhase.Ready);
        var st = done.getStatus();
        assertTrue(ready(st.conditions));
        assertEquals("DatasetReady", condition(st.conditions, ConditionTypes.READY).get().getReason());
        assertFalse(isTrue(st.conditions, ConditionTypes.PROGRESSING));
        assertFalse(isTrue(st.conditions, ConditionTypes.FAILED));
        assertEquals(1L, st.observedGeneration);
        assertEquals(10L, st.counts.prompts);
        assertEquals(40L, st.counts.completions);
        assertEquals(9L, st.counts.annotated);
        assertEquals(7L, st.counts.dpoPairs);
        assertEquals("0.0425", st.cost.usd);
        assertEquals(30000L, st.cost.inputTokens);
        assertEquals(2.5, st.attributeMeans.get("helpfulness"));
        assertEquals("mmalign/datasets/quickstart/sets/dpo.jsonl", st.artifacts.dpo);
        assertEquals("mmalign/datasets/quickstart/sets/summary.json", st.artifacts.summary);
        assertEquals(List.of("sample", "annotate", "build"), st.stages.stream().map(s -> s.name).toList());
        assertTrue(st.stages.stream().allMatch(s -> s.phase == StageState.Phase.Succeeded && s.generation == 1L));
        assertEquals(2, st.stages.get(0).succeededShards);
        assertEquals(100.0, st.progress.percent);
        assertEquals(3, kubelet.jobs(ns).size(), "exactly one Job per stage");

        List<String> reasons = eventReasons(ns, "quickstart");
        assertTrue(reasons.containsAll(List.of("SampleRunning", "AnnotateRunning", "BuildRunning", "DatasetReady",
                "StageSucceeded")), reasons.toString());

        // Every child carries the dataset as controller owner (Kubernetes' GC deletes them with it).
        for (HasMetadata child : children(ns)) {
            assertEquals(ds.getMetadata().getUid(), child.getMetadata().getOwnerReferences().get(0).getUid(),
                    child.getKind() + " " + child.getMetadata().getName());
        }
        assertTrue(Json.write(st).length() < 8 * 1024, "status stays small");
        PrinterTable.save("preferencedatasets.txt", List.of(done), false);

        // The rerun rule: a spec change after the stages succeeded reruns nothing, and says so.
        edit(PreferenceDataset.class, ns, "quickstart", d -> {
            d.getSpec().sampling.temperature = 1.2;
            return d;
        });
        PreferenceDataset changed = awaitResource(PreferenceDataset.class, ns, "quickstart",
                d -> d.getStatus().observedGeneration == 2L);
        assertEquals(DatasetPhase.Ready, changed.getStatus().phase);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> eventReasons(ns, "quickstart").contains("SpecChangeNotApplied"));
        assertEquals(3, kubelet.jobs(ns).size(), "no stage reruns");
    }

    /** Guards judge credentials with GKE Workload Identity: only the annotate pods run as the annotated
     * ServiceAccount; sample and build pods run as the plain progress ServiceAccount. */
    @Test
    void workloadIdentityOnlyForAnnotatePods() {
        String ns = "ds-wi";
        PreferenceDataset ds = Fixtures.dataset(ns, "gemini");
        ds.getSpec().annotation.credentials = new dev.mmalign.api.common.CredentialsSpec();
        ds.getSpec().annotation.credentials.gcpServiceAccount = "judge@proj.iam.gserviceaccount.com";
        client.resource(ds).create();
        Job sample = kubelet.awaitJob(ns, "gemini-sample-1");
        assertEquals("gemini-progress", sample.getSpec().getTemplate().getSpec().getServiceAccountName());
        sampleSucceeds(ns, "gemini-sample-1");
        Job annotate = kubelet.awaitJob(ns, "gemini-annotate-1");
        assertEquals("gemini-judge", annotate.getSpec().getTemplate().getSpec().getServiceAccountName());
        assertEquals("judge@proj.iam.gserviceaccount.com", client.serviceAccounts().inNamespace(ns)
                .withName("gemini-judge").get().getMetadata().getAnnotations().get(Labels.GKE_SERVICE_ACCOUNT));
        assertEquals(List.of("gemini-progress", "gemini-judge"), client.rbac().roleBindings().inNamespace(ns)
                .withName("gemini-progress").get().getSubjects().stream().map(s -> s.getName()).toList());
    }

    /** Guards the exit-2 path: the Job fails at once, and the stage's own message lands in the Failed condition and
     * an Event; a spec change then reruns the failed stage under a new Job name (the rerun rule). */
    @Test
    void invalidInputFailsTheDatasetWithTheStageMessageAndAFixReruns() {
        String ns = "ds-exit2";
        create(ns, "broken");
        kubelet.awaitJob(ns, "broken-sample-1");
        kubelet.start(ns, "broken-sample-1");
        kubelet.fail(ns, "broken-sample-1", 0, 2, dev.mmalign.api.stage.TerminationMessage.encode(
                Fixtures.failure(StageName.sample, "prompts.jsonl line 17: missing field \"image\"")),
                true, "PodFailurePolicy");

        PreferenceDataset failed = awaitResource(PreferenceDataset.class, ns, "broken",
                d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.Failed);
        var cond = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("True", cond.getStatus());
        assertEquals("JobFailed", cond.getReason());
        assertEquals("stage sample: exit code 2: prompts.jsonl line 17: missing field \"image\"", cond.getMessage());
        assertFalse(ready(failed.getStatus().conditions));
        assertTrue(events(ns, "broken").stream().anyMatch(e -> "Warning".equals(e.getType())
                && e.getMessage().contains("missing field")));

        // Fix the spec: the failed stage reruns for generation 2.
        edit(PreferenceDataset.class, ns, "broken", d -> {
            d.getSpec().prompts.path = "prompts/fixed.jsonl";
            return d;
        });
        kubelet.awaitJob(ns, "broken-sample-2");
        PreferenceDataset rerun = awaitResource(PreferenceDataset.class, ns, "broken",
                d -> d.getStatus().phase == DatasetPhase.Sampling);
        assertEquals(2L, rerun.getStatus().stages.get(0).generation);
        assertEquals(2L, rerun.getStatus().observedGeneration);
    }

    /** Guards retries: a retryable exit code keeps the stage running with the attempt counted and the reason shown;
     * the retried pod's success moves the pipeline on. */
    @Test
    void retryableExitCodeIsRetriedAndThenSucceeds() {
        String ns = "ds-retry";
        create(ns, "flaky");
        kubelet.awaitJob(ns, "flaky-sample-1");
        kubelet.start(ns, "flaky-sample-1");
        kubelet.fail(ns, "flaky-sample-1", 1, 1, "CUDA error: an illegal memory access", false, null);

        PreferenceDataset retrying = awaitResource(PreferenceDataset.class, ns, "flaky",
                d -> d.getStatus().stages.size() == 1 && d.getStatus().stages.get(0).failedAttempts != null
                        && d.getStatus().stages.get(0).failedAttempts == 1);
        assertEquals(DatasetPhase.Sampling, retrying.getStatus().phase);
        assertEquals(StageState.Phase.Running, retrying.getStatus().stages.get(0).phase);
        assertEquals("retrying after exit code 1: CUDA error: an illegal memory access",
                retrying.getStatus().stages.get(0).message);

        kubelet.retry(ns, "flaky-sample-1", 1);
        kubelet.succeed(ns, "flaky-sample-1", 0, result(StageName.sample, Map.of("prompts", 5L), Map.of(), Map.of()));
        kubelet.succeed(ns, "flaky-sample-1", 1, result(StageName.sample, Map.of("prompts", 5L), Map.of(), Map.of()));
        kubelet.awaitJob(ns, "flaky-annotate-1");
        PreferenceDataset next = awaitResource(PreferenceDataset.class, ns, "flaky",
                d -> d.getStatus().phase == DatasetPhase.Annotating);
        assertEquals(10L, next.getStatus().counts.prompts, "results of the retried pod are used once per shard");
    }

    /** Guards idempotency across an operator restart or a stale cache: reconciling an old copy of the resource (no
     * status at all) finds the running Job instead of creating another, and the pod's progress stays. */
    @Test
    void restartMidStageCreatesNoDuplicateJobAndKeepsProgress() {
        String ns = "ds-restart";
        PreferenceDataset created = create(ns, "resume");
        kubelet.awaitJob(ns, "resume-sample-1");
        kubelet.start(ns, "resume-sample-1");
        // The pods report progress through the status subresource.
        Progress p = new Progress();
        p.stage = "sample";
        p.current = 3L;
        p.total = 10L;
        p.percent = 30.0;
        client.resources(PreferenceDataset.class).inNamespace(ns).withName("resume").subresource("status")
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                        io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                        Json.write(Map.of("status", Map.of("progress", p))));

        // The operator's Job cache has seen the started pod once the resource says Running; only then does a reconcile
        // from any copy see it (what a restarted operator's informers have after their first list).
        awaitResource(PreferenceDataset.class, ns, "resume", d -> d.getStatus() != null && d.getStatus().stages != null
                && !d.getStatus().stages.isEmpty() && d.getStatus().stages.get(0).phase == StageState.Phase.Running);

        // A freshly started operator with a stale view: the resource as it was when created, before any status.
        PreferenceDataset stale = Json.convert(created, PreferenceDataset.class);
        stale.setStatus(null);
        reconciler.decide(stale);
        var stage = stale.getStatus().stages.get(0);
        assertEquals("resume-sample-1", stage.jobName);
        assertEquals(StageState.Phase.Running, stage.phase);
        assertEquals(1, kubelet.jobs(ns).size(), "no second Job");

        sampleSucceeds2(ns);
        PreferenceDataset after = awaitResource(PreferenceDataset.class, ns, "resume",
                d -> d.getStatus().phase == DatasetPhase.Annotating);
        assertEquals(2, kubelet.jobs(ns).size());
        assertNotNull(after.getStatus().progress);
    }

    private void sampleSucceeds2(String ns) {
        for (int i = 0; i < 2; i++) {
            kubelet.succeed(ns, "resume-sample-1", i, result(StageName.sample, Map.of("prompts", 5L), Map.of(),
                    Map.of()));
        }
    }

    /** Guards validation: a spec the CRD's CEL rules would reject (on a cluster without them) fails with the reason
     * InvalidSpec and starts nothing. */
    @Test
    void badSpecIsRejectedWithoutStartingJobs() {
        String ns = "ds-bad";
        PreferenceDataset ds = Fixtures.dataset(ns, "bad");
        ds.getSpec().prompts.path = null; // neither path nor sources
        ds.getSpec().annotation.provider = dev.mmalign.api.common.JudgeProvider.VERTEX_GEMINI; // without project
        client.resource(ds).create();
        PreferenceDataset failed = awaitResource(PreferenceDataset.class, ns, "bad",
                d -> d.getStatus() != null && d.getStatus().phase == DatasetPhase.Failed);
        var cond = condition(failed.getStatus().conditions, ConditionTypes.FAILED).orElseThrow();
        assertEquals("InvalidSpec", cond.getReason());
        assertTrue(cond.getMessage().contains("set exactly one of path and sources"), cond.getMessage());
        assertTrue(cond.getMessage().contains("requires project and location"), cond.getMessage());
        assertEquals(0, kubelet.jobs(ns).size());
    }

    /** Guards deletion: every child is owned by the dataset (the mock server has no garbage collector, so the test
     * checks the owner references GC relies on), and a deleted dataset gets nothing new. */
    @Test
    void deletionLeavesOnlyOwnedChildrenForTheGarbageCollector() {
        String ns = "ds-delete";
        PreferenceDataset ds = create(ns, "gone");
        kubelet.awaitJob(ns, "gone-sample-1");
        List<HasMetadata> children = children(ns);
        assertEquals(Stream.of("ConfigMap", "Job", "Role", "RoleBinding", "ServiceAccount").sorted().toList(),
                children.stream().map(HasMetadata::getKind).distinct().sorted().toList());
        for (HasMetadata child : children) {
            var ref = child.getMetadata().getOwnerReferences().get(0);
            assertEquals(ds.getMetadata().getUid(), ref.getUid());
            assertEquals(Boolean.TRUE, ref.getController());
            assertEquals("PreferenceDataset", ref.getKind());
        }
        client.resource(ds).delete();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                .until(() -> get(PreferenceDataset.class, ns, "gone") == null);
    }

    private List<HasMetadata> children(String ns) {
        String selector = Labels.MANAGED_BY;
        return Stream.of(
                client.batch().v1().jobs().inNamespace(ns).withLabel(selector).list().getItems().stream(),
                client.configMaps().inNamespace(ns).withLabel(selector).list().getItems().stream(),
                client.serviceAccounts().inNamespace(ns).withLabel(selector).list().getItems().stream(),
                client.rbac().roles().inNamespace(ns).withLabel(selector).list().getItems().stream(),
                client.rbac().roleBindings().inNamespace(ns).withLabel(selector).list().getItems().stream())
                .flatMap(s -> s.map(h -> (HasMetadata) h)).toList();
    }
}
