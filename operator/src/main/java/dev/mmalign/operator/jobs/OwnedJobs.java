package dev.mmalign.operator.jobs;

import dev.mmalign.operator.k8s.Labels;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The informer of the stage Jobs a reconciler owns: only Jobs labelled with its kind, mapped to their owner. A Job's
 * events reconcile its owner, except the ADD of a Job the owner's reconcile is creating at that moment (see
 * {@link CreatesInFlight}).
 */
public final class OwnedJobs<P extends HasMetadata> extends InformerEventSource<Job, P> {

    private final CreatesInFlight creating;

    private OwnedJobs(InformerEventSourceConfiguration<Job> config, EventSourceContext<P> context,
                      CreatesInFlight creating) {
        super(config, context);
        this.creating = creating;
    }

    public static <P extends HasMetadata> OwnedJobs<P> create(Class<P> primary, String kind,
                                                              EventSourceContext<P> context) {
        CreatesInFlight creating = new CreatesInFlight();
        var config = InformerEventSourceConfiguration.from(Job.class, primary)
                .withName("jobs")
                .withLabelSelector(Labels.selectorForKind(kind))
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(primary))
                .withOnAddFilter(job -> !creating.holdBack(job))
                .build();
        return new OwnedJobs<>(config, context, creating);
    }

    /**
     * Creates {@code job} with {@code create} and puts the answer into this cache. The informer's ADD of it that
     * arrives meanwhile does not reconcile the owner again unless it says something the answer did not.
     */
    Job create(Job job, Supplier<Job> create) {
        ResourceID id = ResourceID.fromResource(job);
        creating.begin(id);
        Job created = null;
        try {
            created = create.get();
            // Into the cache before the window closes: an ADD after end() finds it there and is skipped by JOSDK.
            handleRecentResourceCreate(id, created);
            return created;
        } finally {
            Optional<HasMetadata> held = creating.end(id);
            if (held.isPresent() && CreatesInFlight.stillNeeded(held.get(), created)) {
                reconcileOwnersOf((Job) held.get());
            }
        }
    }

    private void reconcileOwnersOf(Job job) {
        configuration().getSecondaryToPrimaryMapper().toPrimaryResourceIDs(job)
                .forEach(owner -> getEventHandler().handleEvent(new Event(owner)));
    }
}
