package dev.mmalign.operator.suite;

import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.bench.BenchmarkSuiteSpec;
import dev.mmalign.api.bench.ModelUnderTest;
import dev.mmalign.api.common.JudgeProvider;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a BenchmarkSuite's spec (pure), repeating the CRD's rules for clusters (and test servers) without CEL. */
public final class SuiteValidator {

    private SuiteValidator() {}

    public static List<String> validate(BenchmarkSuiteSpec spec) {
        List<String> errors = new ArrayList<>();
        if (spec == null) {
            return List.of("spec is missing");
        }
        if (spec.storage == null || spec.storage.claimName == null || spec.storage.claimName.isBlank()) {
            errors.add("spec.storage.claimName is required");
        }
        if (spec.models == null || spec.models.isEmpty()) {
            errors.add("spec.models must list at least one model");
        } else {
            Set<String> names = new HashSet<>();
            for (ModelUnderTest m : spec.models) {
                if (m.name == null || !m.name.matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")) {
                    errors.add("model name " + m.name + " is not a DNS label");
                } else if (!names.add(m.name)) {
                    errors.add("model names must be unique: " + m.name);
                }
                if ((m.path == null) == (m.alignmentRun == null)) {
                    errors.add("model " + m.name + ": set exactly one of path and alignmentRun");
                }
            }
            if (spec.baseline != null && !names.contains(spec.baseline)) {
                errors.add("baseline " + spec.baseline + " must name one of models");
            }
        }
        if (spec.benchmarks == null || spec.benchmarks.isEmpty()) {
            errors.add("spec.benchmarks must list at least one benchmark");
        } else {
            Set<String> ids = new HashSet<>();
            for (BenchmarkSpec b : spec.benchmarks) {
                if (b.name == null) {
                    errors.add("every benchmark needs a name");
                    continue;
                }
                if (!ids.add(b.effectiveId())) {
                    errors.add("benchmark id " + b.effectiveId() + " is used twice; give each entry an id");
                }
                if (b.name.judgeScored() && spec.judge == null) {
                    errors.add("benchmark " + b.effectiveId() + " is judge-scored and requires spec.judge");
                }
            }
        }
        if (spec.judge != null && spec.judge.provider == JudgeProvider.IMPORT) {
            errors.add("provider import cannot judge benchmarks");
        }
        return errors;
    }
}
