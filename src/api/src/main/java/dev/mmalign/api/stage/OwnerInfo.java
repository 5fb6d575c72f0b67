package dev.mmalign.api.stage;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The custom resource a stage runs for; the pod reports progress to it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class OwnerInfo {
    /** PreferenceDataset, AlignmentRun or BenchmarkSuite. */
    public String kind;
    public String namespace;
    public String name;
    public String uid;
    /** metadata.generation the stage was started for. */
    public Long generation;

    public OwnerInfo() {}

    public OwnerInfo(String kind, String namespace, String name, String uid, Long generation) {
        this.kind = kind;
        this.namespace = namespace;
        this.name = name;
        this.uid = uid;
        this.generation = generation;
    }
}
