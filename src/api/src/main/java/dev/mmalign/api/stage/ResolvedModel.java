package dev.mmalign.api.stage;

import com.fasterxml.jackson.annotation.JsonInclude;

/** A model as a stage pod loads it: a base folder and, optionally, a LoRA adapter on top (paths relative to root). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResolvedModel {
    /** Name in results. */
    public String name;
    /** Hugging Face layout model folder. */
    public String path;
    /** PEFT adapter folder applied on top of path, if any. */
    public String adapterPath;

    public ResolvedModel() {}

    public ResolvedModel(String name, String path, String adapterPath) {
        this.name = name;
        this.path = path;
        this.adapterPath = adapterPath;
    }
}
