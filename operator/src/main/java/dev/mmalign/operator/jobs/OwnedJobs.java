package dev.mmalign.operator.jobs;

import dev.mmalign.operator.k8s.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

/** The informer of the stage Jobs a reconciler owns: only Jobs labelled with its kind, mapped to their owner. */
public final class OwnedJobs {

    private OwnedJobs() {}

    public static <P extends HasMetadata> InformerEventSourceConfiguration<Job> informer(Class<P> primary,
                                                                                        String kind) {
        return InformerEventSourceConfiguration.from(Job.class, primary)
                .withName("jobs")
                .withLabelSelector(Labels.selectorForKind(kind))
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(primary))
                .build();
    }
}
