package dev.mmalign.api.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One source of a prompt mix, e.g. LRV-Instruct or SciGraphQA, with its own limit. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PromptSource {

    @Required
    @Size(max = 63)
    @Pattern("^[A-Za-z0-9][A-Za-z0-9._-]*$")
    @JsonPropertyDescription("Source name, recorded in each prompt's 'source' field (e.g. lrv-instruct).")
    public String name;

    @Required
    @JsonPropertyDescription("File of prompts, relative to the storage root, in the layout named by format.")
    public String path;

    @Default("jsonl")
    @JsonPropertyDescription("Layout of the file: jsonl (ours: {id, image, question, goldAnswer?} per line), llava "
            + "(LLaVA conversation JSON), lrv-instruction (LRV-Instruction's JSON array of {image_id, question}) or "
            + "scigraphqa (SciGraphQA's {question_id, image, text} JSONL), each read as published.")
    public PromptFormat format = PromptFormat.JSONL;

    @JsonPropertyDescription("Folder the prompts' image paths are relative to. Unset: the prompts spec's imageRoot.")
    public String imageRoot;

    @Min(1)
    @JsonPropertyDescription("Take at most this many prompts from this source (a seeded random subset).")
    public Integer limit;

    public PromptSource() {}
}
