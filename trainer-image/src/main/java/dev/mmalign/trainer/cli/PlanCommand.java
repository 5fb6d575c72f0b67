package dev.mmalign.trainer.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PreferenceDatasetSpec;
import dev.mmalign.api.plan.MemoryPlan;
import dev.mmalign.api.plan.MemoryPlanner;
import dev.mmalign.api.plan.ModelShape;
import dev.mmalign.api.plan.TrainingWorkload;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.Precision;
import dev.mmalign.api.stage.ExitCodes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Predicts the peak GPU memory per device of a manifest's training step (AlignmentRun) or sampling
 * (PreferenceDataset) with the same planner the operator uses, and says how to make it fit. The last line is
 * {@code plan: gpu_peak_gib=<x> gpu_memory_gib=<y> fits=<true|false>}. Exit 0 when it fits, 1 when it does not,
 * 2 on bad input.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Predict peak GPU memory per device of an AlignmentRun or PreferenceDataset manifest.")
public final class PlanCommand implements Callable<Integer> {
    static final int DOES_NOT_FIT = 1;

    @Parameters(index = "0", description = "AlignmentRun or PreferenceDataset manifest (YAML; the first of those kinds).")
    Path manifest;

    @Option(names = "--model-config", description = "The model's config.json (default: <storage-root>/<model path>/config.json).")
    Path modelConfig;

    @Option(names = "--storage-root", defaultValue = ".", description = "Where the claim is mounted, to find the model's config.json (default ${DEFAULT-VALUE}).")
    Path storageRoot;

    @Option(names = "--gpu-memory-gib", description = "Memory per GPU (default: the manifest's resources.gpuMemoryGiB).")
    Double gpuMemoryGiB;

    @Option(names = "--sampling-precision", description = "Weight storage when sampling: fp16 or fp32 (default: the "
            + "manifest's spec.sampling.precision, fp16 when unset).")
    Precision samplingPrecision;

    @Option(names = "--attention-chunk", description = "Query rows per attention slice (default: the engine's,"
            + " AttentionChunking.DEFAULT_QUERY_ROWS = 256); 0: all rows at once.")
    Integer attentionChunk;

    private final PrintStream out;

    public PlanCommand() {
        this(System.out);
    }

    PlanCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        try {
            return plan();
        } catch (IllegalArgumentException e) {
            System.err.println("plan: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }

    private int plan() {
        JsonNode doc = firstPlannable(manifest);
        String kind = doc.path("kind").asText();
        if (kind.equals("AlignmentRun")) {
            AlignmentRunSpec spec = convert(doc.path("spec"), AlignmentRunSpec.class);
            ModelShape shape = shape(spec.baseModel, "spec.baseModel");
            return planTraining(spec, shape);
        }
        PreferenceDatasetSpec spec = convert(doc.path("spec"), PreferenceDatasetSpec.class);
        if (spec.sampling == null) {
            throw new IllegalArgumentException(manifest + ": spec.sampling is missing");
        }
        return planSampling(spec, shape(spec.sampling.model, "spec.sampling.model"));
    }

    private int planTraining(AlignmentRunSpec spec, ModelShape shape) {
        double gib = gpuMemory(spec.resources);
        TrainingWorkload w = attentionChunk == null ? TrainingWorkload.of(spec)
                : TrainingWorkload.of(spec).withAttentionChunk(attentionChunk);
        MemoryPlanner planner = new MemoryPlanner(shape, true);
        MemoryPlan plan = planner.planTraining(w, gib);
        int gpus = spec.resources != null && spec.resources.gpus != null ? spec.resources.gpus : 0;
        out.println("model: " + describe(shape));
        out.print(plan.breakdown());
        plan.notes().forEach(n -> out.println("  note: " + n));
        if (gpus == 0) {
            out.println("resources.gpus is 0: the run trains on CPU; planned as for one GPU");
        } else {
            out.printf("per device: each of %d GPUs runs %d %s per micro-step%n", gpus, w.perDeviceBatch(),
                    w.dpo() ? "pairs" : "examples");
        }
        if (!plan.fits()) {
            suggest(planner, w, spec, gib);
        }
        out.println(plan.summaryLine());
        return plan.fits() ? ExitCodes.SUCCESS : DOES_NOT_FIT;
    }

    /** The largest batch that fits, with the accumulation that keeps the global batch, or what else to change. */
    private void suggest(MemoryPlanner planner, TrainingWorkload w, AlignmentRunSpec spec, double gib) {
        int accumulation = spec.training != null && spec.training.gradientAccumulationSteps != null
                ? spec.training.gradientAccumulationSteps : dev.mmalign.api.run.TrainingDefaults
                .resolve(spec.training, spec.method).gradientAccumulationSteps;
        int micro = planner.largestTrainingBatch(w, gib);
        long perStep = (long) w.perDeviceBatch() * accumulation;
        if (micro > 0) {
            int b = micro;
            while (perStep % b != 0) {
                b--; // keep the examples per optimiser step exactly as asked
            }
            out.printf("suggest: training.perDeviceBatchSize=%d training.gradientAccumulationSteps=%d (same %d %s"
                    + " per device and optimiser step)%n", b, perStep / b, perStep, w.dpo() ? "pairs" : "examples");
        } else if (!w.activationCheckpointing()
                && planner.largestTrainingBatch(w.withCheckpointing(true), gib) > 0) {
            out.println("suggest: training.activationCheckpointing=true (not even one example fits without it)");
        } else {
            out.println("suggest: nothing in the batch fits: shorten training.maxLength, lower lora.rank, or use"
                    + " GPUs with more memory");
        }
    }

    private int planSampling(PreferenceDatasetSpec spec, ModelShape shape) {
        double gib = gpuMemory(spec.sampling.resources);
        int maxNew = spec.sampling.maxNewTokens != null ? spec.sampling.maxNewTokens : 512;
        int batch = spec.sampling.batchSize != null ? spec.sampling.batchSize : 8;
        // The sample stage hands the engine batchSize prompts x K completions as one batch of sequences.
        int perPrompt = spec.sampling.completionsPerPrompt != null ? spec.sampling.completionsPerPrompt : 1;
        Precision precision = samplingPrecision != null ? samplingPrecision
                : spec.sampling.precision != null ? spec.sampling.precision : Precision.fp16;
        MemoryPlanner planner = new MemoryPlanner(shape, true);
        MemoryPlan plan = planner.planSampling(batch * perPrompt, maxNew, precision, gib);
        if (spec.sampling.endpoint != null) {
            out.println("note: spec.sampling.endpoint is set: the sample pods use no GPU; below is what generating in"
                    + " the pods would take");
        }
        out.println("model: " + describe(shape));
        out.print(plan.breakdown());
        plan.notes().forEach(n -> out.println("  note: " + n));
        int largest = planner.largestSamplingBatch(maxNew, precision, gib, 1024 * perPrompt) / perPrompt;
        out.printf("sampling batch: largest that fits %d prompts x %d completions (spec.sampling.batchSize %d)%n",
                largest, perPrompt, batch);
        if (!plan.fits()) {
            out.println(largest > 0 ? "suggest: sampling.batchSize=" + largest
                    : "suggest: not even one prompt's completions fit: lower sampling.maxNewTokens or"
                            + " completionsPerPrompt, or use GPUs with more memory");
        }
        out.println(plan.summaryLine());
        return plan.fits() ? ExitCodes.SUCCESS : DOES_NOT_FIT;
    }

    private double gpuMemory(ComputeResources resources) {
        if (gpuMemoryGiB != null) {
            return gpuMemoryGiB;
        }
        return resources != null && resources.gpuMemoryGiB != null ? resources.gpuMemoryGiB
                : new ComputeResources().gpuMemoryGiB;
    }

    private ModelShape shape(ModelSource source, String field) {
        Path config = modelConfig;
        if (config == null) {
            if (source == null || source.path == null) {
                throw new IllegalArgumentException(manifest + ": " + field + " names no path (an AlignmentRun's"
                        + " output?): pass --model-config");
            }
            config = storageRoot.resolve(source.path).resolve("config.json");
        }
        try {
            return ModelShape.parse(Files.readString(config), config.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the model config " + config + " (" + e + "); pass"
                    + " --model-config", e);
        }
    }

    private static String describe(ModelShape s) {
        return String.format("%,d parameters; decoder %d layers x %d wide (%d heads, %d kv), MLP %d, vocab %d;"
                + " vision %d layers x %d, %d image positions", s.totalParams(), s.layers(), s.hidden(), s.heads(),
                s.kvHeads(), s.intermediate(), s.vocab(), s.visionLayers(), s.visionHidden(), s.imageTokens());
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** The first AlignmentRun or PreferenceDataset document of a YAML file. */
    private static JsonNode firstPlannable(Path file) {
        try (YAMLParser p = ((YAMLFactory) YAML.getFactory()).createParser(file.toFile())) {
            for (JsonNode doc : YAML.readValues(p, JsonNode.class).readAll()) {
                String kind = doc == null ? "" : doc.path("kind").asText();
                if (kind.equals("AlignmentRun") || kind.equals("PreferenceDataset")) {
                    return doc;
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(file + ": no AlignmentRun or PreferenceDataset in it");
    }

    private <T> T convert(JsonNode spec, Class<T> type) {
        try {
            return STRICT.treeToValue(spec, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(manifest + ": spec: " + e.getOriginalMessage(), e);
        }
    }
}
