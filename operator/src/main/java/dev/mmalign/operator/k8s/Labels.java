package dev.mmalign.operator.k8s;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.LinkedHashMap;
import java.util.Map;

/** Labels and annotations the operator puts on its children. */
public final class Labels {
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGER = "mmalign-operator";
    public static final String NAME = "app.kubernetes.io/name";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String INSTANCE = "app.kubernetes.io/instance";
    public static final String OWNER_KIND = "mmalign.dev/owner-kind";
    public static final String OWNER_NAME = "mmalign.dev/owner-name";
    public static final String STAGE = "mmalign.dev/stage";
    /** Set by the Job controller on every pod of a Job. */
    public static final String JOB_NAME = "batch.kubernetes.io/job-name";
    /** Set by the Job controller on pods of Indexed Jobs. */
    public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
    /** On a Job the operator suspended because of spec.suspend (so that resuming never unsuspends a Kueue hold). */
    public static final String SUSPENDED_BY_OPERATOR = "mmalign.dev/suspended-by-operator";
    /** GKE Workload Identity. */
    public static final String GKE_SERVICE_ACCOUNT = "iam.gke.io/gcp-service-account";

    private Labels() {}

    /** Labels of every child of {@code owner}; {@code component} names the child's role (a stage, progress, ...). */
    public static Map<String, String> forChild(HasMetadata owner, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGER);
        labels.put(PART_OF, "mmalign");
        labels.put(NAME, "mmalign-trainer");
        labels.put(INSTANCE, ChildNames.labelValue(owner.getMetadata().getName()));
        labels.put(COMPONENT, component);
        labels.put(OWNER_KIND, owner.getKind());
        labels.put(OWNER_NAME, ChildNames.labelValue(owner.getMetadata().getName()));
        return labels;
    }

    /** Label selector of the children of every resource of one kind (keeps the operator's caches small). */
    public static String selectorForKind(String kind) {
        return MANAGED_BY + "=" + MANAGER + "," + OWNER_KIND + "=" + kind;
    }
}
