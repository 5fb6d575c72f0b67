package dev.mmalign.operator.jobs;

import dev.mmalign.operator.k8s.Labels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The informer caches of one reconciler's children: its Jobs, stage-spec ConfigMaps, progress ServiceAccounts, Roles
 * and RoleBindings, and the Jobs' pods, each informer filtered by our labels for the reconciler's kind, so that the
 * operator holds only its own objects. Reconciles read children here instead of asking the API server.
 *
 * <p>Only Job events trigger a reconcile of the owner (a Job's status is what moves a stage on); the other children
 * are cached for reading only. A child this operator just created is put into its cache at once
 * ({@code handleRecentResourceCreate}), so that a reconcile running before the informer's watch event arrives sees it
 * and never creates it twice; a Job's ADD event does not reconcile the owner whose reconcile created it
 * ({@link OwnedJobs}).
 */
public final class ChildCaches {

    private static final String POD_BY_JOB = "pod-by-job";

    private final Map<Class<?>, InformerEventSource<?, ?>> sources = new LinkedHashMap<>();

    private ChildCaches() {}

    /** Builds the label-filtered informers of {@code primary}'s children; register {@link #eventSources()}. */
    public static <P extends HasMetadata> ChildCaches create(Class<P> primary, String kind,
                                                             EventSourceContext<P> context) {
        ChildCaches caches = new ChildCaches();
        caches.sources.put(Job.class, OwnedJobs.create(primary, kind, context));
        caches.readOnly(ConfigMap.class, "configmaps", primary, kind, context);
        caches.readOnly(ServiceAccount.class, "serviceaccounts", primary, kind, context);
        caches.readOnly(Role.class, "roles", primary, kind, context);
        caches.readOnly(RoleBinding.class, "rolebindings", primary, kind, context);
        InformerEventSource<Pod, P> pods = caches.readOnly(Pod.class, "pods", primary, kind, context);
        pods.addIndexers(Map.of(POD_BY_JOB, p -> {
            String job = p.getMetadata().getLabels() == null ? null
                    : p.getMetadata().getLabels().get(Labels.JOB_NAME);
            return job == null ? List.of() : List.of(p.getMetadata().getNamespace() + "/" + job);
        }));
        return caches;
    }

    private <R extends HasMetadata, P extends HasMetadata> InformerEventSource<R, P> readOnly(
            Class<R> type, String name, Class<P> primary, String kind, EventSourceContext<P> context) {
        var config = InformerEventSourceConfiguration.from(type, primary)
                .withName(name)
                .withLabelSelector(Labels.selectorForKind(kind))
                // Cached for reading; changes of these children need no reconcile of the owner.
                .withSecondaryToPrimaryMapper(r -> Set.of())
                .build();
        InformerEventSource<R, P> source = new InformerEventSource<>(config, context);
        sources.put(type, source);
        return source;
    }

    /** The informers to return from {@code prepareEventSources}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <P extends HasMetadata> List<EventSource<?, P>> eventSources() {
        List<EventSource<?, P>> out = new ArrayList<>();
        sources.values().forEach(s -> out.add((EventSource) s));
        return out;
    }

    /** Whether children of this type are cached here (others are read from the API server). */
    public boolean caches(Class<?> type) {
        return sources.containsKey(type);
    }

    /** The cached child of that type, namespace and name. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
        return ((InformerEventSource<T, ?>) sources.get(type)).get(new ResourceID(name, namespace));
    }

    /**
     * Creates {@code obj} with {@code create} and puts the answer into its cache, ahead of the informer's event. A
     * Job's ADD event that arrives while its create is in flight does not reconcile the owner again (see
     * {@link CreatesInFlight}).
     */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T create(T obj, java.util.function.Supplier<T> create) {
        if (obj instanceof Job job) {
            return (T) ((OwnedJobs<?>) sources.get(Job.class)).create(job, () -> (Job) create.get());
        }
        T created = create.get();
        written(created, null);
        return created;
    }

    /** Puts an object this operator just created or changed into its cache, ahead of the informer's event. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> void written(T obj, T previous) {
        var source = (InformerEventSource<T, ?>) sources.get(obj.getClass());
        if (source != null) {
            ResourceID id = ResourceID.fromResource(obj);
            if (previous == null) {
                source.handleRecentResourceCreate(id, obj);
            } else {
                source.handleRecentResourceUpdate(id, obj, previous);
            }
        }
    }

    /** The cached pods of one Job. */
    @SuppressWarnings("unchecked")
    public List<Pod> podsOf(String namespace, String jobName) {
        return ((InformerEventSource<Pod, ?>) sources.get(Pod.class)).byIndex(POD_BY_JOB, namespace + "/" + jobName);
    }
}
