package dev.mmalign.operator.jobs;

import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.operator.OperatorSettings;
import dev.mmalign.operator.k8s.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.HttpURLConnection;
import java.time.Instant;
import java.util.List;

/**
 * Runs one stage: makes sure its ConfigMap and Job exist (creating them when absent, never a second one: names are
 * deterministic and a create that loses a race returns the existing object), keeps the Job's suspend flag in line
 * with spec.suspend, and observes the Job and its pods. Children are read from the reconciler's {@link ChildCaches}
 * (label-filtered informers), not from the API server; what this class creates or changes goes into those caches at
 * once, so a cache that has not yet seen the watch event cannot make it create a duplicate.
 */
@ApplicationScoped
public class StageRunner {

    private final KubernetesClient client;
    private final StageJobBuilder jobBuilder;
    private final OperatorSettings settings;

    public StageRunner(KubernetesClient client, OperatorSettings settings) {
        this.client = client;
        this.settings = settings;
        this.jobBuilder = new StageJobBuilder(TrainerImage.from(settings));
    }

    /** How stage pods report progress in a cluster: through the status subresource of their resource. */
    public ProgressReporting progressReporting() {
        ProgressReporting p = new ProgressReporting();
        p.mode = ProgressReporting.Mode.kubernetes;
        p.intervalSeconds = settings.progress().intervalSeconds();
        return p;
    }

    /**
     * Ensures the stage's children exist and returns what its Job says. {@code spec} may be null for a stage that has
     * already started: its ConfigMap exists and is immutable.
     */
    public JobObservation run(ChildCaches caches, StageJobRequest req, StageSpec spec) {
        String ns = req.owner().getMetadata().getNamespace();
        if (spec != null) {
            createIfAbsent(caches, StageSpecConfigMapBuilder.build(req, spec));
        }
        Job job = caches.get(Job.class, ns, req.jobName()).orElse(null);
        List<Pod> pods;
        if (job == null) {
            job = createIfAbsent(caches, jobBuilder.build(req));
            pods = List.of();
        } else {
            job = alignSuspend(caches, job, req.suspend());
            pods = caches.podsOf(ns, req.jobName());
            if (fewerSucceededThanJob(job, pods)) {
                // Jobs and pods come by separate watches: the Job's success can be seen before its last pods'.
                // A finished stage's results are read from its pods once, so read them from the API server rather
                // than miss a shard's (rare; the cache is behind only for a moment).
                pods = client.pods().inNamespace(ns).withLabel(Labels.JOB_NAME, req.jobName()).list().getItems();
            }
        }
        return JobObserver.observe(job, pods, Instant.now());
    }

    /** Whether the cached pods hold fewer succeeded ones than the Job counts. */
    static boolean fewerSucceededThanJob(Job job, List<Pod> pods) {
        Integer succeeded = job.getStatus() == null ? null : job.getStatus().getSucceeded();
        if (succeeded == null || succeeded == 0) {
            return false;
        }
        long cached = pods.stream().filter(p -> p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase()))
                .count();
        return cached < succeeded;
    }

    /** The ServiceAccount, Role and RoleBinding stage pods report progress with (and the judge SA if any). */
    public void ensureProgressIdentity(ChildCaches caches, HasMetadata owner, String gcpServiceAccount) {
        createIfAbsent(caches, ProgressRbacBuilder.serviceAccount(owner));
        if (gcpServiceAccount != null) {
            createIfAbsent(caches, ProgressRbacBuilder.judgeServiceAccount(owner, gcpServiceAccount));
        }
        createIfAbsent(caches, ProgressRbacBuilder.role(owner));
        createIfAbsent(caches, ProgressRbacBuilder.roleBinding(owner, gcpServiceAccount != null));
    }

    /**
     * spec.suspend on: suspend the Job (the pod gets SIGTERM, checkpoints and exits). Off: unsuspend only a Job this
     * operator suspended, so that a Job Kueue holds back stays held until Kueue admits it.
     */
    private Job alignSuspend(ChildCaches caches, Job job, boolean suspend) {
        if (isFinished(job)) {
            return job;
        }
        boolean suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
        var ann = job.getMetadata().getAnnotations();
        boolean ours = ann != null && "true".equals(ann.get(Labels.SUSPENDED_BY_OPERATOR));
        if (suspend && !suspended) {
            return written(caches, job, client.batch().v1().jobs().resource(job).edit(j -> {
                j.getSpec().setSuspend(true);
                j.getMetadata().getAnnotations().put(Labels.SUSPENDED_BY_OPERATOR, "true");
                return j;
            }));
        }
        if (!suspend && ours) {
            boolean queued = job.getMetadata().getLabels() != null
                    && job.getMetadata().getLabels().containsKey(Labels.KUEUE_QUEUE);
            return written(caches, job, client.batch().v1().jobs().resource(job).edit(j -> {
                j.getMetadata().getAnnotations().remove(Labels.SUSPENDED_BY_OPERATOR);
                // A queued Job goes back to Kueue (it unsuspends it on admission); others resume at once.
                j.getSpec().setSuspend(queued);
                return j;
            }));
        }
        return job;
    }

    private static boolean isFinished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream().anyMatch(c -> "True".equals(c.getStatus())
                && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())));
    }

    private static Job written(ChildCaches caches, Job before, Job after) {
        caches.written(after, before);
        return after;
    }

    /**
     * Creates {@code obj}, or returns the existing object of that name. Children of a type {@code caches} holds are
     * looked up there (no request when present); others, and a create that finds the name taken (the cache had not
     * caught up), are read from the API server.
     */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> T createIfAbsent(ChildCaches caches, T obj) {
        String ns = obj.getMetadata().getNamespace();
        var op = client.resource(obj).inNamespace(ns);
        boolean cached = caches.caches(obj.getClass());
        T existing = cached ? caches.get((Class<T>) obj.getClass(), ns, obj.getMetadata().getName()).orElse(null)
                : op.get();
        if (existing != null) {
            return existing;
        }
        try {
            return caches.create(obj, op::create);
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return op.get();
            }
            throw e;
        }
    }
}
