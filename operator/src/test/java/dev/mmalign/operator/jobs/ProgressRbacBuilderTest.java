package dev.mmalign.operator.jobs;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.k8s.Json;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The progress identity of stage pods, and the stage-spec ConfigMap (pure builders). */
class ProgressRbacBuilderTest {

    private static AlignmentRun owner() {
        AlignmentRun run = Fixtures.run("ns", "dpo", "prefs");
        run.getMetadata().setUid("uid-7");
        return run;
    }

    /** Guards least privilege: one rule, get and patch on this resource's status subresource only. */
    @Test
    void roleAllowsOnlyGetAndPatchOfThisResourcesStatus() {
        var role = ProgressRbacBuilder.role(owner());
        assertEquals("dpo-progress", role.getMetadata().getName());
        assertEquals(1, role.getRules().size());
        var rule = role.getRules().get(0);
        assertEquals(List.of("mmalign.dev"), rule.getApiGroups());
        assertEquals(List.of("alignmentruns/status"), rule.getResources());
        assertEquals(List.of("dpo"), rule.getResourceNames());
        assertEquals(List.of("get", "patch"), rule.getVerbs());
        assertEquals("uid-7", role.getMetadata().getOwnerReferences().get(0).getUid());
    }

    /** Guards the binding: the progress ServiceAccount (and the judge one when there is Workload Identity) get the
     * Role, nothing else. */
    @Test
    void bindingAndServiceAccounts() {
        var binding = ProgressRbacBuilder.roleBinding(owner(), true);
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals("dpo-progress", binding.getRoleRef().getName());
        assertEquals(List.of("dpo-progress", "dpo-judge"),
                binding.getSubjects().stream().map(s -> s.getName()).toList());
        assertEquals(1, ProgressRbacBuilder.roleBinding(owner(), false).getSubjects().size());

        var sa = ProgressRbacBuilder.serviceAccount(owner());
        assertEquals("dpo-progress", sa.getMetadata().getName());
        assertEquals(null, sa.getMetadata().getAnnotations() == null ? null
                : sa.getMetadata().getAnnotations().get(Labels.GKE_SERVICE_ACCOUNT));
        var judge = ProgressRbacBuilder.judgeServiceAccount(owner(), "judge@proj.iam.gserviceaccount.com");
        assertEquals("judge@proj.iam.gserviceaccount.com",
                judge.getMetadata().getAnnotations().get(Labels.GKE_SERVICE_ACCOUNT));
        assertEquals("uid-7", judge.getMetadata().getOwnerReferences().get(0).getUid());
    }

    /** Guards the stage spec ConfigMap: immutable, owned, stage.json round-trips to the StageSpec. */
    @Test
    void stageSpecConfigMap() throws Exception {
        var req = StageJobRequest.builder(owner(), StageName.train, "dpo-train-1", owner().getSpec().storage,
                "dpo-progress").build();
        StageSpec spec = new StageSpec();
        spec.stage = StageName.train;
        spec.paths.outputDir = "mmalign/runs/dpo";
        var cm = StageSpecConfigMapBuilder.build(req, spec);
        assertEquals("dpo-train-1-spec", cm.getMetadata().getName());
        assertEquals(Boolean.TRUE, cm.getImmutable());
        assertEquals("uid-7", cm.getMetadata().getOwnerReferences().get(0).getUid());
        StageSpec back = Json.MAPPER.readValue(cm.getData().get("stage.json"), StageSpec.class);
        assertEquals("mmalign/runs/dpo", back.paths.outputDir);
        assertEquals(StageName.train, back.stage);
    }
}
