package dev.mmalign.api.stage;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.List;

/**
 * One PreferenceDataset a suite's models trained on, as its report shows it: a section per dataset (rating
 * distributions, pair margins, judge-human agreement, sample browser), labelled with its name and those models.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ReportDataset {
    /** The PreferenceDataset's name. */
    public String name;
    /**
     * Its folder (ArtifactLayout.datasetRoot), relative to the storage root; null when the dataset lives on another
     * claim than the suite's, so the report pod cannot read it (the report then says so).
     */
    public String root;
    /** The folder its prompts' images are relative to (its prompts.imageRoot), relative to the storage root. */
    public String imageRoot;
    /** The models (their names in the results) that trained on it, in the suite's order. */
    public List<String> models = new ArrayList<>();

    public ReportDataset() {}

    public ReportDataset(String name, String root, String imageRoot, List<String> models) {
        this.name = name;
        this.root = root;
        this.imageRoot = imageRoot;
        this.models = new ArrayList<>(models);
    }
}
