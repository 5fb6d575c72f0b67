package dev.mmalign.operator.run;

import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.run.TrainingSet;

import java.util.ArrayList;
import java.util.List;

/** Checks an AlignmentRun's spec (pure), repeating the CRD's rules for clusters (and test servers) without CEL. */
public final class RunValidator {

    private RunValidator() {}

    public static List<String> validate(AlignmentRunSpec spec) {
        List<String> errors = new ArrayList<>();
        if (spec == null) {
            return List.of("spec is missing");
        }
        if (spec.method == null) {
            errors.add("spec.method is required");
        }
        if (spec.storage == null || blank(spec.storage.claimName)) {
            errors.add("spec.storage.claimName is required");
        }
        if (spec.baseModel == null || blank(spec.baseModel.path) == blank(spec.baseModel.alignmentRun)) {
            errors.add("spec.baseModel: set exactly one of path and alignmentRun");
        }
        if (spec.dataset == null || blank(spec.dataset.name) == blank(spec.dataset.path)) {
            errors.add("spec.dataset: set exactly one of name and path");
        } else if (spec.method != null && spec.dataset.trainingSet != null) {
            if (spec.method == Method.DPO && spec.dataset.trainingSet != TrainingSet.dpo) {
                errors.add("method DPO requires a preference (dpo) training set");
            }
            if (spec.method != Method.DPO && spec.dataset.trainingSet == TrainingSet.dpo) {
                errors.add("the dpo training set can only be used with method DPO");
            }
        }
        if (spec.dpo != null && spec.method != Method.DPO) {
            errors.add("dpo settings are only valid with method DPO");
        }
        if (spec.dataFraction != null && (spec.dataFraction <= 0 || spec.dataFraction > 1)) {
            errors.add("spec.dataFraction must be in (0, 1]");
        }
        if (spec.evaluation != null) {
            if (spec.evaluation.benchmarks == null || spec.evaluation.benchmarks.isEmpty()) {
                errors.add("spec.evaluation.benchmarks must list at least one benchmark");
            } else if (spec.evaluation.judge == null
                    && spec.evaluation.benchmarks.stream().anyMatch(b -> b.name != null && b.name.judgeScored())) {
                errors.add("spec.evaluation: judge-scored benchmarks ("
                        + String.join(", ", spec.evaluation.benchmarks.stream().filter(b -> b.name != null
                        && b.name.judgeScored()).map(BenchmarkSpec::effectiveId).toList()) + ") require judge");
            }
        }
        return errors;
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
