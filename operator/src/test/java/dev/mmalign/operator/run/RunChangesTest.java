package dev.mmalign.operator.run;

import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunSpec;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Guards what replaced the datasets' and suites' own AlignmentRun informers: a run's reconcile wakes exactly the
 * resources each kind maps that run to, in every kind that listens.
 */
class RunChangesTest {

    private static AlignmentRun run(String ns, String name) {
        AlignmentRun run = new AlignmentRun();
        run.getMetadata().setNamespace(ns);
        run.getMetadata().setName(name);
        run.setSpec(new AlignmentRunSpec());
        return run;
    }

    @Test
    void aReconciledRunWakesWhatEachKindMapsItTo() {
        RunChanges changes = new RunChanges();
        List<ResourceID> datasets = new ArrayList<>();
        List<ResourceID> suites = new ArrayList<>();
        var datasetSource = (AbstractEventSource<?, ?>) changes.eventSource("sampling-model-runs",
                r -> r.getMetadata().getName().equals("base") ? Set.of(new ResourceID("prefs", "ns")) : Set.of());
        var suiteSource = (AbstractEventSource<?, ?>) changes.eventSource("evaluated-runs",
                r -> Set.of(new ResourceID("cmp-" + r.getMetadata().getName(), r.getMetadata().getNamespace())));
        datasetSource.setEventHandler(e -> datasets.add(e.getRelatedCustomResourceID()));
        suiteSource.setEventHandler(e -> suites.add(e.getRelatedCustomResourceID()));
        datasetSource.start();
        suiteSource.start();

        changes.reconciled(run("ns", "base"));
        changes.reconciled(run("ns", "other"));

        assertEquals(List.of(new ResourceID("prefs", "ns")), datasets, "only the dataset sampling from run base");
        assertEquals(List.of(new ResourceID("cmp-base", "ns"), new ResourceID("cmp-other", "ns")), suites);
    }

    @Test
    void nothingIsWokenBeforeTheOperatorStartedTheSource() {
        RunChanges changes = new RunChanges();
        List<Event> events = new ArrayList<>();
        var source = (AbstractEventSource<?, ?>) changes.eventSource("evaluated-runs",
                r -> Set.of(new ResourceID("cmp", "ns")));
        source.setEventHandler(events::add);
        changes.reconciled(run("ns", "base"));
        assertEquals(List.of(), events);
    }
}
