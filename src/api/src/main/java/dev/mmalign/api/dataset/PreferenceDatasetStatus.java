package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.StageState;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Observed state of a PreferenceDataset. The operator writes all of it except progress. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PreferenceDatasetStatus {

    @JsonPropertyDescription("metadata.generation this status describes.")
    public Long observedGeneration;

    @JsonPropertyDescription("Pending, Sampling, Annotating, Building, Ready or Failed.")
    public DatasetPhase phase;

    @JsonPropertyDescription("Standard conditions: Ready, Progressing, Failed.")
    public List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("One entry per stage (sample, annotate, build).")
    public List<StageState> stages = new ArrayList<>();

    @JsonPropertyDescription("Live progress of the running stage, written by its pods.")
    public Progress progress;

    @JsonPropertyDescription("Record counts.")
    public DatasetCounts counts;

    @JsonPropertyDescription("Mean judge rating per attribute over all annotated completions.")
    public Map<String, Double> attributeMeans;

    @JsonPropertyDescription("Judge-human agreement per attribute, when annotation.humanRatings is set (the confusion "
            + "matrices are in agreement.json beside the annotations).")
    public Map<String, AttributeAgreement> agreement;

    @JsonPropertyDescription("Annotation cost: requests, tokens and US dollars.")
    public AnnotationCost cost;

    @JsonPropertyDescription("Paths of the outputs, relative to the storage root.")
    public DatasetArtifacts artifacts;

    public PreferenceDatasetStatus() {}
}
