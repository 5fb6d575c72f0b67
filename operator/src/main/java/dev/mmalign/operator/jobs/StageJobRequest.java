package dev.mmalign.operator.jobs;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.JobPolicy;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.stage.StageName;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Everything needed to build one stage's Job.
 *
 * @param owner          the custom resource the stage runs for (owner of the Job)
 * @param stage          the trainer subcommand
 * @param stageLabel     name of the stage in status and labels (sample, train, evaluate-base, report, ...)
 * @param jobName        deterministic Job name (see ChildNames)
 * @param shards         completions of the Indexed Job (1 when not sharded)
 * @param resources      pod resources and placement; null: no requests, no GPU
 * @param jobPolicy      retries and time limits
 * @param queueName      Kueue LocalQueue, or null
 * @param suspend        create the Job suspended (spec.suspend)
 * @param storage        the claim mounted at /data
 * @param judge          judge of annotate/evaluate stages (its credentials reach only these pods), or null
 * @param serviceAccount the ServiceAccount the pods run as
 */
public record StageJobRequest(
        HasMetadata owner,
        StageName stage,
        String stageLabel,
        String jobName,
        int shards,
        ComputeResources resources,
        JobPolicy jobPolicy,
        String queueName,
        boolean suspend,
        StorageSpec storage,
        JudgeSpec judge,
        String serviceAccount) {

    /** Whether this stage talks to a judge model (and so may receive judge credentials). */
    public boolean usesJudge() {
        return stage == StageName.annotate || stage == StageName.evaluate;
    }

    public String configMapName() {
        return dev.mmalign.operator.k8s.ChildNames.stageSpec(jobName);
    }
}
