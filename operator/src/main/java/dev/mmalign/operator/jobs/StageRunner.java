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
 * Runs one stage against the API server: makes sure its ConfigMap and Job exist (creating them when absent, never a
 * second one: names are deterministic and a create that loses a race returns the existing object), keeps the Job's
 * suspend flag in line with spec.suspend, and observes the Job and its pods. Reads go to the API server, not to a
 * cache, so a stale cache cannot make it create a duplicate.
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
    public JobObservation run(StageJobRequest req, StageSpec spec) {
        String ns = req.owner().getMetadata().getNamespace();
        if (spec != null) {
            createIfAbsent(StageSpecConfigMapBuilder.build(req, spec));
        }
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(req.jobName()).get();
        if (job == null) {
            job = createIfAbsent(jobBuilder.build(req));
        } else {
            job = alignSuspend(job, req.suspend());
        }
        List<Pod> pods = client.pods().inNamespace(ns).withLabel(Labels.JOB_NAME, req.jobName()).list().getItems();
        return JobObserver.observe(job, pods, Instant.now());
    }

    /** The ServiceAccount, Role and RoleBinding stage pods report progress with (and the judge SA if any). */
    public void ensureProgressIdentity(HasMetadata owner, String gcpServiceAccount) {
        createIfAbsent(ProgressRbacBuilder.serviceAccount(owner));
        if (gcpServiceAccount != null) {
            createIfAbsent(ProgressRbacBuilder.judgeServiceAccount(owner, gcpServiceAccount));
        }
        createIfAbsent(ProgressRbacBuilder.role(owner));
        createIfAbsent(ProgressRbacBuilder.roleBinding(owner, gcpServiceAccount != null));
    }

    /**
     * spec.suspend on: suspend the Job (the pod gets SIGTERM, checkpoints and exits). Off: unsuspend only a Job this
     * operator suspended, so that a Job Kueue holds back stays held until Kueue admits it.
     */
    private Job alignSuspend(Job job, boolean suspend) {
        if (isFinished(job)) {
            return job;
        }
        boolean suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
        var ann = job.getMetadata().getAnnotations();
        boolean ours = ann != null && "true".equals(ann.get(Labels.SUSPENDED_BY_OPERATOR));
        if (suspend && !suspended) {
            return client.batch().v1().jobs().resource(job).edit(j -> {
                j.getSpec().setSuspend(true);
                j.getMetadata().getAnnotations().put(Labels.SUSPENDED_BY_OPERATOR, "true");
                return j;
            });
        }
        if (!suspend && ours) {
            boolean queued = job.getMetadata().getLabels() != null
                    && job.getMetadata().getLabels().containsKey(Labels.KUEUE_QUEUE);
            return client.batch().v1().jobs().resource(job).edit(j -> {
                j.getMetadata().getAnnotations().remove(Labels.SUSPENDED_BY_OPERATOR);
                // A queued Job goes back to Kueue (it unsuspends it on admission); others resume at once.
                j.getSpec().setSuspend(queued);
                return j;
            });
        }
        return job;
    }

    private static boolean isFinished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream().anyMatch(c -> "True".equals(c.getStatus())
                && ("Complete".equals(c.getType()) || "Failed".equals(c.getType())));
    }

    /** Creates {@code obj}, or returns the existing object of that name (a restart or a lost race). */
    public <T extends HasMetadata> T createIfAbsent(T obj) {
        var op = client.resource(obj).inNamespace(obj.getMetadata().getNamespace());
        T existing = op.get();
        if (existing != null) {
            return existing;
        }
        try {
            return op.create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return op.get();
            }
            throw e;
        }
    }
}
