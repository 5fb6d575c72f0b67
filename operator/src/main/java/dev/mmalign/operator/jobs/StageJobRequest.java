package dev.mmalign.operator.jobs;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.JobPolicy;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.common.StorageSpec;
import dev.mmalign.api.dataset.SamplingEndpointSpec;
import dev.mmalign.api.stage.StageName;
import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * Everything needed to build one stage's Job; made with {@link #builder}, which names every field at the call site.
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
 * @param samplingEndpoint the sample stage's endpoint (its API key reaches only sample pods), or null
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
        String serviceAccount,
        SamplingEndpointSpec samplingEndpoint) {

    /** Whether this stage talks to a judge model (and so may receive judge credentials). */
    public boolean usesJudge() {
        return stage == StageName.annotate || stage == StageName.evaluate;
    }

    public String configMapName() {
        return dev.mmalign.operator.k8s.ChildNames.stageSpec(jobName);
    }

    /**
     * A request for {@code stage} of {@code owner} as Job {@code jobName}, with the claim {@code storage}; the pods run
     * as {@code serviceAccount}. Unless set: the stage's own name as label, one shard, no resources, default job
     * policy, no queue, not suspended, no judge, no sampling endpoint.
     */
    public static Builder builder(HasMetadata owner, StageName stage, String jobName, StorageSpec storage,
                                  String serviceAccount) {
        return new Builder(owner, stage, jobName, storage, serviceAccount);
    }

    /** Builds a {@link StageJobRequest}; the optional parts have setters named as the record's components. */
    public static final class Builder {
        private final HasMetadata owner;
        private final StageName stage;
        private final String jobName;
        private final StorageSpec storage;
        private final String serviceAccount;
        private String stageLabel;
        private int shards = 1;
        private ComputeResources resources;
        private JobPolicy jobPolicy;
        private String queueName;
        private boolean suspend;
        private JudgeSpec judge;
        private SamplingEndpointSpec samplingEndpoint;

        private Builder(HasMetadata owner, StageName stage, String jobName, StorageSpec storage,
                        String serviceAccount) {
            this.owner = owner;
            this.stage = stage;
            this.jobName = jobName;
            this.storage = storage;
            this.serviceAccount = serviceAccount;
            this.stageLabel = stage.name();
        }

        public Builder stageLabel(String stageLabel) {
            this.stageLabel = stageLabel;
            return this;
        }

        public Builder shards(int shards) {
            this.shards = shards;
            return this;
        }

        public Builder resources(ComputeResources resources) {
            this.resources = resources;
            return this;
        }

        public Builder jobPolicy(JobPolicy jobPolicy) {
            this.jobPolicy = jobPolicy;
            return this;
        }

        public Builder queueName(String queueName) {
            this.queueName = queueName;
            return this;
        }

        public Builder suspend(boolean suspend) {
            this.suspend = suspend;
            return this;
        }

        public Builder judge(JudgeSpec judge) {
            this.judge = judge;
            return this;
        }

        public Builder samplingEndpoint(SamplingEndpointSpec samplingEndpoint) {
            this.samplingEndpoint = samplingEndpoint;
            return this;
        }

        public StageJobRequest build() {
            return new StageJobRequest(owner, stage, stageLabel, jobName, shards, resources, jobPolicy, queueName,
                    suspend, storage, judge, serviceAccount, samplingEndpoint);
        }
    }
}
