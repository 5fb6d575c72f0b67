package dev.mmalign.api.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Optimiser settings. Fields without a schema default take the paper's per-method value, see {@link TrainingDefaults}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrainingSpec {

    @Min(value = 0, inclusive = false)
    @Max(1)
    @JsonPropertyDescription("Peak learning rate. Unset: 5e-5 for DPO, 4e-4 for the SFT methods (the paper's).")
    public Double learningRate;

    @Default("3")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Passes over the training set (paper: 3).")
    public Integer epochs = 3;

    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Examples (pairs for DPO) per device per step. Unset: 8 for DPO, 16 for SFT methods.")
    public Integer perDeviceBatchSize;

    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Micro-batches accumulated per optimizer step. Unset: 4 for DPO, 1 for SFT methods.")
    public Integer gradientAccumulationSteps;

    @Min(16)
    @Max(32768)
    @JsonPropertyDescription("Longest sequence in positions, image patches included (LLaVA-1.5: 576); responses "
            + "are truncated to fit, prompts that leave no room for a response are skipped. Unset: 876 for DPO (the "
            + "paper's 300 text tokens + 576 image positions), 2048 for SFT methods.")
    public Integer maxLength;

    @Default("0.03")
    @Min(0)
    @Max(value = 1, inclusive = false)
    @JsonPropertyDescription("Fraction of the steps spent warming the learning rate up linearly.")
    public Double warmupRatio = 0.03;

    @Default("cosine")
    @JsonPropertyDescription("cosine, linear or constant after warmup.")
    public Scheduler scheduler = Scheduler.cosine;

    @Default("0")
    @Min(0)
    @JsonPropertyDescription("AdamW decoupled weight decay.")
    public Double weightDecay = 0.0;

    @Default("1.0")
    @Min(value = 0, inclusive = false)
    @JsonPropertyDescription("Gradient clipping by global norm.")
    public Double maxGradNorm = 1.0;

    @Default("fp16")
    @JsonPropertyDescription("What the engine stores and computes in, the same on CPU and GPU. fp16 (default): the"
            + " frozen weights are stored in fp16 on the device (half the memory; bf16/fp16 checkpoints are converted"
            + " at load) and cast to fp32 at each use; trainable weights (LoRA, a trained projector, every weight in"
            + " full fine-tuning), activations and optimiser state are fp32, and all arithmetic is fp32. fp32:"
            + " everything fp32. bf16: not supported yet by the engine, the train stage refuses it (exit 2).")
    public Precision precision = Precision.fp16;

    @Default("42")
    @JsonPropertyDescription("Seed of initialisation, data order, dropout and sampling.")
    public Long seed = 42L;

    @Default("100")
    @Min(1)
    @JsonPropertyDescription("Save a checkpoint every this many optimizer steps (and on SIGTERM).")
    public Integer checkpointEverySteps = 100;

    @Default("2")
    @Min(1)
    @Max(100)
    @JsonPropertyDescription("Most recent checkpoints kept.")
    public Integer keepCheckpoints = 2;

    @JsonPropertyDescription("Keep only each transformer block's input in the forward pass and recompute the block "
            + "in the backward pass: about a third more compute for a fraction of the activation memory, same "
            + "gradients. Unset: true (LLaVA-1.5-13B DPO at 8 pairs per device does not fit an 80 GB GPU without it).")
    public Boolean activationCheckpointing;

    public TrainingSpec() {}
}
