package dev.mmalign.api.stage;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.mmalign.api.Mmalign;
import dev.mmalign.api.bench.BenchmarkSpec;
import dev.mmalign.api.common.JudgeSpec;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.dataset.TrainingSetsSpec;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.sweep.SweepTable;

import java.util.List;

/**
 * What the operator tells a stage pod to do: written as JSON into a ConfigMap mounted at /etc/mmalign/stage.json.
 * Only the section of the stage that runs is set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageSpec {

    /** Version of this contract. */
    public String apiVersion = Mmalign.API_VERSION;
    public StageName stage;
    public OwnerInfo owner;
    /** This pod's shard; for Indexed Jobs the index comes from JOB_COMPLETION_INDEX at run time. */
    public Shard shard = new Shard();
    public StagePaths paths = new StagePaths();
    public ProgressReporting progress = new ProgressReporting();

    /** sample: the prompts and the sampling settings. */
    public PromptsSpec prompts;
    public SamplingSpec sampling;
    /** annotate: the judge and guide. */
    public AnnotationSpec annotation;
    /** build: which training sets. */
    public TrainingSetsSpec trainingSets;
    /** train: the run's spec (training defaults already resolved by the operator). */
    public AlignmentRunSpec run;
    /** evaluate: the models, resolved to folders by the operator, the benchmarks and the judge. */
    public List<ResolvedModel> models;
    public List<BenchmarkSpec> benchmarks;
    public JudgeSpec judge;
    /** evaluate: the precision the models are loaded in (the suite's spec.precision); null means fp16. */
    public Precision evaluationPrecision;
    /**
     * evaluate's report step (paths.inputs.results set): a sweep's score tables, one per axis, as the operator
     * computed them from the suite's results for the sweep's status; the report shows a table and a curve per metric.
     */
    public List<SweepTable> sweepTables;
    /**
     * evaluate: the PreferenceDatasets the models trained on, in the order of their first model; the report shows
     * each one's sections. Unset: the report shows no dataset.
     */
    public List<ReportDataset> reportDatasets;

    public StageSpec() {}
}
