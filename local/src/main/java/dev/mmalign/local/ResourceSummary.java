package dev.mmalign.local;

import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.BenchmarkSuiteStatus;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.dataset.DatasetCounts;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.api.run.TrainingMetrics;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.AlignmentSweepStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One line about one mmalign resource for local mode's progress output — phase, progress and the figure that says
 * most at that point — and whether it is finished, or blocked (it waits for a resource that failed: the operator
 * reports that as condition Progressing False while neither Ready nor Failed nor Suspended). Reads only status; knows
 * nothing of how the operator got there.
 */
record ResourceSummary(String id, String phase, String detail, boolean finished, boolean failed, boolean blocked) {

    private static final Set<String> FINISHED = Set.of("Ready", "Succeeded", "Failed");

    /** The kinds local mode follows, in the order their lines are printed. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
            "PreferenceDataset", PreferenceDataset.class,
            "AlignmentRun", AlignmentRun.class,
            "BenchmarkSuite", BenchmarkSuite.class,
            "AlignmentSweep", AlignmentSweep.class);

    static boolean isTracked(HasMetadata r) {
        return KINDS.containsKey(r.getKind()) && r.getApiVersion() != null
                && r.getApiVersion().startsWith(dev.mmalign.api.Mmalign.GROUP + "/");
    }

    static ResourceSummary of(HasMetadata r) {
        String id = r.getKind() + "/" + r.getMetadata().getName();
        if (r instanceof PreferenceDataset d) {
            return dataset(id, d.getStatus());
        }
        if (r instanceof AlignmentRun a) {
            return run(id, a.getStatus());
        }
        if (r instanceof BenchmarkSuite s) {
            return suite(id, s.getStatus());
        }
        if (r instanceof AlignmentSweep w) {
            return sweep(id, w.getStatus());
        }
        return new ResourceSummary(id, "?", "", true, false, false);
    }

    /** The line as printed (without the time stamp). */
    String line() {
        return String.format(Locale.ROOT, "%-44s %-17s %s", id, phase, detail).stripTrailing();
    }

    private static ResourceSummary dataset(String id, PreferenceDatasetStatus s) {
        if (s == null || s.phase == null) {
            return pending(id);
        }
        List<String> parts = new ArrayList<>();
        parts.add(progress(s.progress));
        DatasetCounts c = s.counts;
        if (c != null) {
            add(parts, "prompts", c.prompts);
            add(parts, "completions", c.completions);
            add(parts, "annotated", c.annotated);
            add(parts, "dpoPairs", c.dpoPairs);
        }
        return finish(id, s.phase.name(), parts, s.conditions);
    }

    private static ResourceSummary run(String id, AlignmentRunStatus s) {
        if (s == null || s.phase == null) {
            return pending(id);
        }
        List<String> parts = new ArrayList<>();
        parts.add(progress(s.progress));
        TrainingMetrics m = s.metrics;
        if (m != null) {
            addNumber(parts, "loss", m.loss);
            addNumber(parts, "rewardAcc", m.rewardsAccuracies);
        }
        if (s.latestCheckpoint != null && s.latestCheckpoint.step != null) {
            parts.add("checkpoint@" + s.latestCheckpoint.step);
        }
        if (s.attempts != null && s.attempts > 1) {
            parts.add("attempts=" + s.attempts);
        }
        return finish(id, s.phase.name(), parts, s.conditions);
    }

    private static ResourceSummary suite(String id, BenchmarkSuiteStatus s) {
        if (s == null || s.phase == null) {
            return pending(id);
        }
        List<String> parts = new ArrayList<>();
        parts.add(progress(s.progress));
        if (s.modelsDone != null) {
            parts.add("models " + s.modelsDone);
        }
        if (s.results != null && !s.results.isEmpty()) {
            parts.add("results=" + s.results.size());
        }
        return finish(id, s.phase.name(), parts, s.conditions);
    }

    private static ResourceSummary sweep(String id, AlignmentSweepStatus s) {
        if (s == null || s.phase == null) {
            return pending(id);
        }
        List<String> parts = new ArrayList<>();
        if (s.runsDone != null) {
            parts.add("runs " + s.runsDone);
        }
        if (s.running != null && s.running > 0) {
            parts.add("training=" + s.running);
        }
        if (s.tableConfigMap != null) {
            parts.add("tables in status, sweep.json in ConfigMap " + s.tableConfigMap);
        }
        return finish(id, s.phase.name(), parts, s.conditions);
    }

    private static ResourceSummary finish(String id, String phase, List<String> parts, List<Condition> conditions) {
        boolean failed = "Failed".equals(phase);
        boolean finished = FINISHED.contains(phase);
        Condition progressing = condition(conditions, "Progressing");
        boolean blocked = !finished && progressing != null && "False".equals(progressing.getStatus())
                && !isTrue(conditions, "Suspended");
        if (failed) {
            parts.add(failureMessage(conditions));
        } else if (blocked && progressing.getMessage() != null && !progressing.getMessage().isEmpty()) {
            parts.add("— " + progressing.getReason() + ": " + progressing.getMessage());
        }
        String detail = String.join("  ", parts.stream().filter(p -> p != null && !p.isEmpty()).toList());
        return new ResourceSummary(id, phase, detail, finished, failed, blocked);
    }

    private static ResourceSummary pending(String id) {
        return new ResourceSummary(id, "(no status yet)", "", false, false, false);
    }

    private static Condition condition(List<Condition> conditions, String type) {
        return conditions == null ? null
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
    }

    private static boolean isTrue(List<Condition> conditions, String type) {
        Condition c = condition(conditions, type);
        return c != null && "True".equals(c.getStatus());
    }

    /** "stage 12/64 (19%)": the stage the pod reports and how far it is. */
    static String progress(Progress p) {
        if (p == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        if (p.stage != null) {
            b.append(p.stage).append(' ');
        }
        if (p.current != null && p.total != null) {
            b.append(p.current).append('/').append(p.total);
            if (p.unit != null) {
                b.append(' ').append(p.unit);
            }
        }
        Double pct = p.percent != null ? p.percent
                : p.current != null && p.total != null && p.total > 0 ? 100.0 * p.current / p.total : null;
        if (pct != null) {
            b.append(String.format(Locale.ROOT, " (%.0f%%)", pct));
        }
        return b.toString().trim();
    }

    private static String failureMessage(List<Condition> conditions) {
        if (conditions == null) {
            return "";
        }
        for (String type : List.of("Failed", "Ready")) {
            for (Condition c : conditions) {
                if (type.equals(c.getType()) && c.getMessage() != null && !c.getMessage().isEmpty()
                        && ("Failed".equals(type) ? "True" : "False").equals(c.getStatus())) {
                    return "— " + c.getMessage();
                }
            }
        }
        return "";
    }

    private static void add(List<String> parts, String name, Long value) {
        if (value != null) {
            parts.add(name + "=" + value);
        }
    }

    private static void addNumber(List<String> parts, String name, Double value) {
        if (value != null) {
            parts.add(String.format(Locale.ROOT, "%s=%.4f", name, value));
        }
    }
}
