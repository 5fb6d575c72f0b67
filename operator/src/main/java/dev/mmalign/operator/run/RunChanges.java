package dev.mmalign.operator.run;

import dev.mmalign.api.run.AlignmentRun;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Wakes the resources that wait on an AlignmentRun (a dataset sampling from its output, a suite evaluating it) when
 * the run was reconciled, instead of each of those kinds watching every AlignmentRun with an informer of its own.
 * What they wait for (the run's phase, its output, its spec) changes only in the run's reconcile, which calls
 * {@link #reconciled} after writing the status. Two informers fewer: at 1,000 runs they held every run twice more and
 * decoded each run's every watch event twice more (issue #14). A run deleted wakes nobody; a resource waiting on a
 * run is rechecked every {@code mmalign.wait-recheck-interval} anyway.
 */
@ApplicationScoped
public class RunChanges {

    private final List<Consumer<AlignmentRun>> listeners = new CopyOnWriteArrayList<>();

    /**
     * An event source for a kind's {@code prepareEventSources}: after a run's reconcile, it reconciles the resources
     * of that kind {@code waitingOn} maps the run to.
     */
    public <P extends HasMetadata> EventSource<?, P> eventSource(String name,
                                                                 Function<AlignmentRun, Set<ResourceID>> waitingOn) {
        SimpleInboundEventSource<P> source = new SimpleInboundEventSource<>(name);
        listeners.add(run -> waitingOn.apply(run).forEach(source::propagateEvent));
        return source;
    }

    /** A run was reconciled (its status written): wake what waits on it. */
    public void reconciled(AlignmentRun run) {
        listeners.forEach(l -> l.accept(run));
    }
}
