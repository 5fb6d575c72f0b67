package dev.mmalign.operator.sweep;

import dev.mmalign.api.run.Method;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.AlignmentSweepSpec;
import dev.mmalign.api.sweep.SweepAxes;
import dev.mmalign.operator.run.RunValidator;
import dev.mmalign.operator.suite.SuiteValidator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.function.Predicate;

/**
 * Checks an AlignmentSweep's spec (pure), repeating the CRD's rules for clusters (and test servers) without CEL, then
 * the spec of every child run and of the suite as they would be created, so that no child is refused later.
 */
public final class SweepValidator {

    private SweepValidator() {}

    public static List<String> validate(AlignmentSweep sweep) {
        AlignmentSweepSpec spec = sweep.getSpec();
        if (spec == null) {
            return List.of("spec is missing");
        }
        List<String> errors = new ArrayList<>();
        if (spec.template == null) {
            errors.add("spec.template is required");
        }
        if (spec.axes == null) {
            errors.add("spec.axes is required");
        }
        if (spec.evaluation == null) {
            errors.add("spec.evaluation is required");
        }
        if (spec.maxConcurrent != null && (spec.maxConcurrent < 1 || spec.maxConcurrent > AlignmentSweepSpec.MAX_RUNS)) {
            errors.add("spec.maxConcurrent must be in [1, " + AlignmentSweepSpec.MAX_RUNS + "]");
        }
        if (!errors.isEmpty()) {
            return errors;
        }
        SweepAxes axes = spec.axes;
        if (SweepPlan.axesSet(axes).isEmpty()) {
            return List.of("spec.axes: set at least one axis");
        }
        long product = 1;
        product *= axis(errors, "dataFraction", axes.dataFraction, f -> f != null && f > 0 && f <= 1, "in (0, 1]");
        product *= axis(errors, "beta", axes.beta, b -> b != null && b > 0 && b <= 100, "in (0, 100]");
        product *= axis(errors, "learningRate", axes.learningRate, r -> r != null && r > 0 && r <= 1, "in (0, 1]");
        product *= axis(errors, "averageLogProbs", axes.averageLogProbs, a -> a != null, "true or false");
        product *= axis(errors, "method", axes.method, m -> m != null, "a method");
        if (product > AlignmentSweepSpec.MAX_RUNS) {
            errors.add("spec.axes: the axes' product (" + product + " child runs) must be at most "
                    + AlignmentSweepSpec.MAX_RUNS);
        }
        if (spec.template.evaluation != null) {
            errors.add("spec.template.evaluation: leave it unset: the sweep evaluates all its runs in one "
                    + "BenchmarkSuite (spec.evaluation)");
        }
        if (axes.method != null && spec.template.dataset != null && spec.template.dataset.trainingSet != null) {
            errors.add("spec.template.dataset.trainingSet: leave it unset with a method axis");
        }
        boolean dpo = axes.method != null ? axes.method.contains(Method.DPO) : spec.template.method == Method.DPO;
        if ((axes.beta != null || axes.averageLogProbs != null) && !dpo) {
            errors.add("spec.axes: the beta and averageLogProbs axes need method DPO");
        }
        RunValidator.validate(spec.template).forEach(e -> errors.add(e.replaceFirst("^spec\\.", "spec.template.")));
        if (!errors.isEmpty()) {
            return errors;
        }
        var children = SweepPlan.children(sweep);
        for (SweepPlan.Child c : children) {
            RunValidator.validate(c.spec()).forEach(e -> errors.add("run " + c.runName() + ": " + e));
        }
        SuiteValidator.validate(SweepPlan.suite(sweep, children).getSpec())
                .forEach(e -> errors.add("spec.evaluation: " + e));
        return errors;
    }

    /** Checks one axis' values (range, uniqueness); returns how many it has (1 when unset). */
    private static <T> long axis(List<String> errors, String name, List<T> values, Predicate<T> valid, String what) {
        if (values == null) {
            return 1;
        }
        if (values.isEmpty()) {
            errors.add("spec.axes." + name + ": list at least one value");
            return 1;
        }
        if (!values.stream().allMatch(valid)) {
            errors.add("spec.axes." + name + ": every value must be " + what);
        }
        if (new HashSet<>(values).size() != values.size()) {
            errors.add("spec.axes." + name + ": values must be unique");
        }
        return values.size();
    }
}
