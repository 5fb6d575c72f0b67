package dev.mmalign.operator.jobs;

import dev.mmalign.api.Mmalign;
import dev.mmalign.operator.k8s.ChildNames;
import dev.mmalign.operator.k8s.Labels;
import dev.mmalign.operator.k8s.Owners;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;

import java.util.ArrayList;
import java.util.List;

/**
 * The least-privilege identity of a resource's stage pods (pure): a ServiceAccount whose Role allows exactly get and
 * patch of this one resource's status subresource, so a pod can report progress and nothing else. Judge pods with
 * Workload Identity get a second ServiceAccount carrying the cloud identity, bound to the same Role.
 */
public final class ProgressRbacBuilder {

    private ProgressRbacBuilder() {}

    /** The plural of a kind's resource (the CRDs use the lower-cased kind plus "s"). */
    public static String plural(HasMetadata owner) {
        return HasMetadata.getPlural(owner.getClass());
    }

    public static ServiceAccount serviceAccount(HasMetadata owner) {
        return new ServiceAccountBuilder()
                .withNewMetadata()
                    .withName(ChildNames.progress(owner.getMetadata().getName()))
                    .withNamespace(owner.getMetadata().getNamespace())
                    .withLabels(Labels.forChild(owner, "progress"))
                    .withOwnerReferences(Owners.controllerReference(owner))
                .endMetadata()
                .build();
    }

    /** ServiceAccount of judge pods annotated for GKE Workload Identity with {@code gcpServiceAccount}. */
    public static ServiceAccount judgeServiceAccount(HasMetadata owner, String gcpServiceAccount) {
        return new ServiceAccountBuilder()
                .withNewMetadata()
                    .withName(ChildNames.judge(owner.getMetadata().getName()))
                    .withNamespace(owner.getMetadata().getNamespace())
                    .withLabels(Labels.forChild(owner, "judge"))
                    .addToAnnotations(Labels.GKE_SERVICE_ACCOUNT, gcpServiceAccount)
                    .withOwnerReferences(Owners.controllerReference(owner))
                .endMetadata()
                .build();
    }

    public static Role role(HasMetadata owner) {
        return new RoleBuilder()
                .withNewMetadata()
                    .withName(ChildNames.progress(owner.getMetadata().getName()))
                    .withNamespace(owner.getMetadata().getNamespace())
                    .withLabels(Labels.forChild(owner, "progress"))
                    .withOwnerReferences(Owners.controllerReference(owner))
                .endMetadata()
                .addNewRule()
                    .withApiGroups(Mmalign.GROUP)
                    .withResources(plural(owner) + "/status")
                    .withResourceNames(owner.getMetadata().getName())
                    .withVerbs("get", "patch")
                .endRule()
                .build();
    }

    /** Binds the Role to the progress ServiceAccount and, when there is one, the judge ServiceAccount. */
    public static RoleBinding roleBinding(HasMetadata owner, boolean withJudge) {
        String ns = owner.getMetadata().getNamespace();
        List<Subject> subjects = new ArrayList<>();
        subjects.add(new SubjectBuilder().withKind("ServiceAccount")
                .withName(ChildNames.progress(owner.getMetadata().getName())).withNamespace(ns).build());
        if (withJudge) {
            subjects.add(new SubjectBuilder().withKind("ServiceAccount")
                    .withName(ChildNames.judge(owner.getMetadata().getName())).withNamespace(ns).build());
        }
        return new RoleBindingBuilder()
                .withNewMetadata()
                    .withName(ChildNames.progress(owner.getMetadata().getName()))
                    .withNamespace(ns)
                    .withLabels(Labels.forChild(owner, "progress"))
                    .withOwnerReferences(Owners.controllerReference(owner))
                .endMetadata()
                .withNewRoleRef()
                    .withApiGroup("rbac.authorization.k8s.io")
                    .withKind("Role")
                    .withName(ChildNames.progress(owner.getMetadata().getName()))
                .endRoleRef()
                .withSubjects(subjects)
                .build();
    }
}
