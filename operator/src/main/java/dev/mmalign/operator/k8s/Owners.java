package dev.mmalign.operator.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** Owner references: they make Kubernetes' garbage collector delete a resource's children with it. */
public final class Owners {
    private Owners() {}

    /** The controller reference to {@code owner}. */
    public static OwnerReference controllerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder()
                .withApiVersion(owner.getApiVersion())
                .withKind(owner.getKind())
                .withName(owner.getMetadata().getName())
                .withUid(owner.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(true)
                .build();
    }

    /** Whether {@code child} is controlled by {@code owner}. */
    public static boolean isControlledBy(HasMetadata child, HasMetadata owner) {
        return child.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> Boolean.TRUE.equals(r.getController())
                        && owner.getMetadata().getUid().equals(r.getUid()));
    }
}
