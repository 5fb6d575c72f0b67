package dev.mmalign.operator.run;

import dev.mmalign.api.run.AlignmentRunStatus;
import dev.mmalign.api.run.CheckpointRef;
import dev.mmalign.api.run.RunOutput;
import dev.mmalign.api.run.TrainingMetrics;
import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.StageResult;
import dev.mmalign.operator.k8s.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Folds the train stage's result into the run's status (pure). Contract: metrics named as TrainingMetrics' fields or
 * TRL's (loss, rewards/chosen, learning_rate, ...); artifacts adapter, merged, result, checkpoint (the latest complete
 * one); count checkpointStep (its step).
 */
public final class RunResults {

    private RunResults() {}

    public static void applyFinal(AlignmentRunStatus status, String runName, StageResult result) {
        RunOutput out = new RunOutput();
        out.root = ArtifactLayout.runRoot(runName);
        out.adapterPath = ArtifactLayout.runAdapter(runName);
        out.mergedModelPath = ArtifactLayout.runMerged(runName);
        out.resultPath = out.root + "/" + ArtifactLayout.resultFile(dev.mmalign.api.stage.StageName.train, 0);
        if (result != null) {
            var a = result.artifacts;
            if (a.containsKey("adapter")) out.adapterPath = a.get("adapter");
            if (a.containsKey("merged")) out.mergedModelPath = a.get("merged");
            if (a.containsKey("result")) out.resultPath = a.get("result");
            // A full fine-tune writes no adapter.
            if (a.containsKey("merged") && !a.containsKey("adapter")) out.adapterPath = null;
            if (!result.metrics.isEmpty()) {
                status.metrics = metrics(result.metrics);
            }
        }
        status.output = out;
        applyCheckpoint(status, result);
    }

    /** The latest checkpoint a pod reported (a finished, interrupted or failed pod). */
    public static void applyCheckpoint(AlignmentRunStatus status, StageResult result) {
        if (result != null && result.artifacts.containsKey("checkpoint")) {
            CheckpointRef c = new CheckpointRef();
            c.path = result.artifacts.get("checkpoint");
            c.step = result.counts.get("checkpointStep");
            status.latestCheckpoint = c;
        }
    }

    /**
     * TRL-named metrics as status fields, rounded to 4 significant digits (what TRL logs show; kubectl prints the
     * Loss column as stored, and 0.6796250343322754 says no more than 0.6796). Non-finite values are left out: JSON
     * cannot hold them.
     */
    static TrainingMetrics metrics(Map<String, Double> raw) {
        Map<String, Double> m = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                m.put(camel(k), new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue());
            }
        });
        return Json.convert(m, TrainingMetrics.class);
    }

    /** rewards/chosen → rewardsChosen, learning_rate → learningRate, train/loss → loss. */
    static String camel(String key) {
        String k = key.startsWith("train/") ? key.substring("train/".length()) : key;
        StringBuilder b = new StringBuilder();
        boolean upper = false;
        for (char c : k.toCharArray()) {
            if (c == '/' || c == '_' || c == '-') {
                upper = true;
            } else {
                b.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return b.toString();
    }
}
