package dev.mmalign.api.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One benchmark of a suite. */
@ValidationRule(value = "!has(self.noisyImage) || self.noisyImage != 'photos' || has(self.noisyImageDir)",
        message = "noisyImage photos needs noisyImageDir")
@ValidationRule(value = "!has(self.noisyImageDir) || (has(self.noisyImage) && self.noisyImage == 'photos')",
        message = "noisyImageDir is only read with noisyImage photos")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BenchmarkSpec {

    @Required
    @Size(max = 16)
    @JsonPropertyDescription("pope, mmbench, mm-vet, llava-bench, mt-bench, alpaca-eval or exact-match.")
    public BenchmarkName name;

    @Size(max = 40)
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    @JsonPropertyDescription("Label of this entry in results (e.g. mt-bench-noisy). Unset: the name, with the "
            + "noisyImage kind appended when set. Must be unique within the suite.")
    public String id;

    @Required
    @JsonPropertyDescription("Benchmark file in its public format (JSONL or TSV), relative to the storage root.")
    public String dataPath;

    @JsonPropertyDescription("Folder the benchmark's image paths are relative to, relative to the storage root.")
    public String imageRoot;

    @Default("none")
    @Size(max = 8)
    @JsonPropertyDescription("none, blank, random or photos: a non-informative image put in the context of every "
            + "question (the paper's noisy-image MT-Bench). photos draws a real photo from noisyImageDir for every "
            + "turn, seeded by question and turn.")
    public NoisyImage noisyImage = NoisyImage.NONE;

    @Size(max = 1024)
    @JsonPropertyDescription("Folder of photos (.jpg, .jpeg, .png) for noisyImage: photos, relative to the storage "
            + "root (e.g. COCO train2017, as the paper used).")
    public String noisyImageDir;

    @Min(1)
    @JsonPropertyDescription("Evaluate at most this many questions (the first ones).")
    public Integer limit;

    @Default("512")
    @Min(1)
    @Max(8192)
    @JsonPropertyDescription("Most new tokens per answer (greedy decoding).")
    public Integer maxNewTokens = 512;

    /** {@link #batchSize}'s default. */
    public static final int DEFAULT_BATCH_SIZE = 16;

    @Default("16")
    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Questions answered together in one batch (greedy decoding) by pope, mmbench and "
            + "exact-match; the judge-scored benchmarks answer one at a time. Answers are written after each batch "
            + "once 16 or more wait, so a pod killed hard redoes the batch in progress and, with smaller batches, "
            + "fewer than 16 more. Batched answers can differ from one-at-a-time ones in float rounding.")
    public Integer batchSize = DEFAULT_BATCH_SIZE;

    public BenchmarkSpec() {}

    /** The label of this entry in results. */
    public String effectiveId() {
        if (id != null) {
            return id;
        }
        return noisyImage == null || noisyImage == NoisyImage.NONE
                ? name.wireName() : name.wireName() + "-noisy-" + noisyImage.name().toLowerCase(java.util.Locale.ROOT);
    }
}
