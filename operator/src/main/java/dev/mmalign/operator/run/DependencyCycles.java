package dev.mmalign.operator.run;

import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Finds a dependency cycle through a resource (pure: resources are looked up through the given functions), e.g. a run
 * that trains on a dataset sampled from that same run's output. Without it each resource of the cycle waits for the
 * next one forever, each saying only what it waits for.
 *
 * <p>The edges are the references a resource waits on, all within one namespace: a PreferenceDataset on the
 * AlignmentRun of {@code spec.sampling.model.alignmentRun}; an AlignmentRun on the PreferenceDataset of
 * {@code spec.dataset.name} and on the AlignmentRun of {@code spec.baseModel.alignmentRun}. A BenchmarkSuite is
 * waited on by nothing, so it is never in a cycle; it waits on runs, which report their own cycle (the suite then
 * shows the run as failed, with the cycle in the message).
 */
public final class DependencyCycles {

    /** Reason of the condition of a resource in a cycle. */
    public static final String REASON = "DependencyCycle";
    /** Most resources looked up for one check: references are few, and a check must not walk a namespace. */
    static final int MAX_VISITED = 64;

    /** A resource in the graph. */
    public record Ref(String kind, String name) {
        @Override
        public String toString() {
            return kind + " " + name;
        }
    }

    private final Function<String, PreferenceDataset> datasets;
    private final Function<String, AlignmentRun> runs;

    /** @param datasets, runs look up a resource by name in the namespace at hand; null when absent */
    public DependencyCycles(Function<String, PreferenceDataset> datasets, Function<String, AlignmentRun> runs) {
        this.datasets = datasets;
        this.runs = runs;
    }

    /** The cycle through {@code resource}, as "AlignmentRun a → PreferenceDataset d → AlignmentRun a"; or empty. */
    public Optional<String> through(HasMetadata resource) {
        Ref start = new Ref(resource.getKind(), resource.getMetadata().getName());
        Deque<Ref> path = new ArrayDeque<>(List.of(start));
        if (!walk(start, start, path, new HashSet<>())) {
            return Optional.empty();
        }
        return Optional.of(path.stream().map(Ref::toString).collect(Collectors.joining(" → ")));
    }

    /** Depth first from {@code at}; true with {@code path} ending at {@code start} when it gets back there. */
    private boolean walk(Ref at, Ref start, Deque<Ref> path, Set<Ref> seen) {
        for (Ref next : dependenciesOf(at)) {
            path.addLast(next);
            if (next.equals(start)) {
                return true;
            }
            if (seen.size() < MAX_VISITED && seen.add(next) && walk(next, start, path, seen)) {
                return true;
            }
            path.removeLast();
        }
        return false;
    }

    List<Ref> dependenciesOf(Ref ref) {
        List<Ref> out = new ArrayList<>();
        if (ref.kind().equals(HasMetadata.getKind(PreferenceDataset.class))) {
            PreferenceDataset ds = datasets.apply(ref.name());
            if (ds != null && ds.getSpec() != null && ds.getSpec().sampling != null
                    && ds.getSpec().sampling.model != null && ds.getSpec().sampling.model.alignmentRun != null) {
                out.add(run(ds.getSpec().sampling.model.alignmentRun));
            }
        } else if (ref.kind().equals(HasMetadata.getKind(AlignmentRun.class))) {
            AlignmentRun run = runs.apply(ref.name());
            if (run != null && run.getSpec() != null) {
                var spec = run.getSpec();
                if (spec.dataset != null && spec.dataset.name != null) {
                    out.add(new Ref(HasMetadata.getKind(PreferenceDataset.class), spec.dataset.name));
                }
                if (spec.baseModel != null && spec.baseModel.alignmentRun != null) {
                    out.add(run(spec.baseModel.alignmentRun));
                }
            }
        }
        return out;
    }

    private static Ref run(String name) {
        return new Ref(HasMetadata.getKind(AlignmentRun.class), name);
    }
}
