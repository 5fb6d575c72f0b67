package dev.mmalign.operator.run;

import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.plan.MemoryPlan;
import dev.mmalign.api.plan.MemoryPlanner;
import dev.mmalign.api.plan.ModelShape;
import dev.mmalign.api.plan.TrainingWorkload;
import dev.mmalign.api.run.AlignmentRunSpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.function.Function;

/**
 * Plans a run's peak GPU memory per device with the trainer's own planner, before any pod starts. The operator cannot
 * read the claim, so the model's config.json comes from the ConfigMap named by {@code spec.baseModel.configMap}; a run
 * without one, or on CPU, is not checked (the train stage still fails clearly if it runs out of memory).
 */
final class RunMemoryCheck {
    /** The ConfigMap key holding the model's config.json. */
    static final String CONFIG_KEY = "config.json";

    sealed interface Result permits Fits, TooBig, NotChecked, ConfigProblem {}

    record Fits(MemoryPlan plan) implements Result {}

    /** The plan exceeds the GPU; {@code largestBatch} per device does fit (0: none). */
    record TooBig(MemoryPlan plan, int largestBatch) implements Result {}

    /** The check did not run; {@code why} says what is missing. */
    record NotChecked(String why) implements Result {}

    /** Reason of the MemoryChecked condition when the check was skipped. */
    static final String SKIPPED = "MemoryCheckSkipped";

    /** The named ConfigMap is missing or unusable. */
    record ConfigProblem(String reason, String message) implements Result {}

    private RunMemoryCheck() {}

    static Result check(AlignmentRunSpec spec, Function<String, ConfigMap> configMaps) {
        int gpus = spec.resources != null && spec.resources.gpus != null ? spec.resources.gpus : 0;
        if (gpus == 0) {
            return new NotChecked("the run trains on CPU");
        }
        String name = spec.baseModel != null ? spec.baseModel.configMap : null;
        if (name == null || name.isBlank()) {
            return new NotChecked("spec.baseModel.configMap is not set: the operator cannot read the model's config.json"
                    + " from the claim; name a ConfigMap holding it under key " + CONFIG_KEY + " to plan the run's GPU"
                    + " memory before its pods start");
        }
        ConfigMap cm = configMaps.apply(name);
        if (cm == null) {
            return new ConfigProblem("ModelConfigNotFound", "ConfigMap " + name + " (spec.baseModel.configMap) does"
                    + " not exist");
        }
        String json = cm.getData() != null ? cm.getData().get(CONFIG_KEY) : null;
        if (json == null) {
            return new ConfigProblem("ModelConfigInvalid", "ConfigMap " + name + " has no key " + CONFIG_KEY);
        }
        ModelShape shape;
        try {
            shape = ModelShape.parse(json, "ConfigMap " + name + " key " + CONFIG_KEY);
        } catch (IllegalArgumentException e) {
            return new ConfigProblem("ModelConfigInvalid", e.getMessage());
        }
        double gib = spec.resources.gpuMemoryGiB != null ? spec.resources.gpuMemoryGiB
                : new ComputeResources().gpuMemoryGiB;
        MemoryPlanner planner = new MemoryPlanner(shape, true);
        TrainingWorkload w = TrainingWorkload.of(spec);
        MemoryPlan plan = planner.planTraining(w, gib);
        return plan.fits() ? new Fits(plan) : new TooBig(plan, planner.largestTrainingBatch(w, gib));
    }

    /** The MemoryChecked condition for a result: {status, reason, message}. */
    static String[] condition(Result r) {
        if (r instanceof Fits f) {
            return new String[] {"True", "Fits", f.plan().oneLine()};
        }
        if (r instanceof TooBig big) {
            return new String[] {"False", "InsufficientGpuMemory", message(big)};
        }
        if (r instanceof ConfigProblem p) {
            return new String[] {"False", p.reason(), p.message()};
        }
        return new String[] {"False", SKIPPED, "GPU memory not checked: " + ((NotChecked) r).why()};
    }

    /** The condition message of a plan that does not fit: the breakdown and what would. */
    static String message(TooBig r) {
        String fix = r.largestBatch() > 0 ? "; fits with training.perDeviceBatchSize=" + r.largestBatch()
                + " (raise gradientAccumulationSteps to keep the batch per step)"
                : "; not even one example per device fits: enable training.activationCheckpointing, shorten"
                + " training.maxLength or use GPUs with more memory";
        return r.plan().oneLine() + fix;
    }
}
