package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/** The prompts of a dataset: one JSONL file, or a mix of sources with per-source limits. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.path) != has(self.sources)", message = "set exactly one of path and sources")
public class PromptsSpec {

    @JsonPropertyDescription("JSONL file of prompts {id, image, question, goldAnswer?, source?}, relative to the "
            + "storage root.")
    public String path;

    @ValidationRule(value = "self.all(s, self.exists_one(t, t.name == s.name))", message = "source names must be unique")
    @io.fabric8.generator.annotation.Size(min = 1, max = 32)
    @JsonPropertyDescription("A mix of prompt files, each with its own limit (paper: 3000 LRV-Instruct + 3000 "
            + "SciGraphQA).")
    public List<PromptSource> sources;

    @Default("images")
    @JsonPropertyDescription("Folder the prompts' image paths are relative to, relative to the storage root.")
    public String imageRoot = "images";

    @Min(1)
    @JsonPropertyDescription("Take at most this many prompts in all (after the per-source limits).")
    public Integer limit;

    @Default("0")
    @JsonPropertyDescription("Seed of the random subsets taken by limit.")
    public Long seed = 0L;

    public PromptsSpec() {}
}
