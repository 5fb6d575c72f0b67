package dev.mmalign.local.e2e;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.List;
import java.util.stream.Collectors;

/** Reading the three resources' status in the tests: phase checks and the failure text when one failed. */
final class Statuses {

    private Statuses() {
    }

    static DatasetPhase phase(PreferenceDataset d) {
        return d.getStatus() == null ? null : d.getStatus().phase;
    }

    static RunPhase phase(AlignmentRun r) {
        return r.getStatus() == null ? null : r.getStatus().phase;
    }

    static SuitePhase phase(BenchmarkSuite s) {
        return s.getStatus() == null ? null : s.getStatus().phase;
    }

    static String failure(PreferenceDataset d) {
        return phase(d) == DatasetPhase.Failed ? messages(d.getStatus().conditions) : null;
    }

    static String failure(AlignmentRun r) {
        return phase(r) == RunPhase.Failed ? messages(r.getStatus().conditions) : null;
    }

    static String failure(BenchmarkSuite s) {
        return phase(s) == SuitePhase.Failed ? messages(s.getStatus().conditions) : null;
    }

    static String messages(List<Condition> conditions) {
        return conditions == null ? "" : conditions.stream()
                .map(c -> c.getType() + "=" + c.getStatus() + ": " + c.getMessage()).collect(Collectors.joining("; "));
    }
}
