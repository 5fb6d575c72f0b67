package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.StageState;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;

/** Observed state of an AlignmentRun. The operator writes all of it except progress (and live metrics). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AlignmentRunStatus {

    @JsonPropertyDescription("metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Pending, WaitingForDataset, Queued, Training, Evaluating, Succeeded, Failed or Suspended.")
    public RunPhase phase;

    @JsonPropertyDescription("Standard conditions: Ready, Progressing, Failed, Suspended.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The train stage (and evaluate, when evaluation is set).")
    public List<StageState> stages = new ArrayList<>();

    @JsonPropertyDescription("Live progress: step, total steps, epoch, percent, ETA; written by the training pod.")
    public Progress progress;

    @JsonPropertyDescription("Latest training metrics, written by the training pod with progress.")
    public TrainingMetrics metrics;

    @JsonPropertyDescription("The latest complete checkpoint; a retried or resumed pod starts from it.")
    public CheckpointRef latestCheckpoint;

    @JsonPropertyDescription("Outputs of a finished run.")
    public RunOutput output;

    @JsonPropertyDescription("Training pod attempts so far (retries and resumes included).")
    public Integer attempts;

    @JsonPropertyDescription("Accelerator-seconds consumed (GPUs x wall seconds of training pods).")
    public Long gpuSeconds;

    @JsonPropertyDescription("RFC 3339 time training started.")
    public String startTime;

    @JsonPropertyDescription("RFC 3339 time the run finished.")
    public String completionTime;

    @JsonPropertyDescription("Name of the BenchmarkSuite created for spec.evaluation.")
    public String benchmarkSuite;

    @JsonPropertyDescription("Headline scores mirrored from that BenchmarkSuite (this run's model, with deltas vs. base).")
    public List<BenchmarkResult> evaluation;

    public AlignmentRunStatus() {}
}
