package dev.mmalign.api.common;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Map;

/** What a stage pod asks of the cluster: accelerators, CPU, memory and placement. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ComputeResources {


    @Default("0")
    @Min(0)
    @Max(64)
    @JsonPropertyDescription("Accelerators per pod, requested as the extended resource named by gpuResourceName. "
            + "0 runs on CPU.")
    public Integer gpus = 0;

    @Default("80")
    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Memory of one accelerator in GiB. Training whose planned peak per device exceeds it is "
            + "refused before any pod starts (condition reason InsufficientGpuMemory) when the model's shape is known.")
    public Integer gpuMemoryGiB = 80;

    @Default("nvidia.com/gpu")
    @JsonPropertyDescription("Extended resource name of the accelerator (e.g. nvidia.com/gpu, amd.com/gpu).")
    @Size(max = 253)
    public String gpuResourceName = "nvidia.com/gpu";

    @Size(max = 32)
    @Pattern(SchemaPatterns.QUANTITY)
    @JsonPropertyDescription("CPU request and limit of the stage container (Kubernetes quantity, e.g. 4 or 500m).")
    public String cpu;

    @Size(max = 32)
    @Pattern(SchemaPatterns.QUANTITY)
    @JsonPropertyDescription("Memory request and limit of the stage container (Kubernetes quantity, e.g. 64Gi).")
    public String memory;

    @Default("1Gi")
    @Size(max = 32)
    @Pattern(SchemaPatterns.QUANTITY)
    @JsonPropertyDescription("Size limit of the in-memory /dev/shm volume (data-loader workers and NCCL need it).")
    public String shmSize = "1Gi";

    @JsonPropertyDescription("Node labels the stage pod must match (e.g. a GPU product label).")
    public Map<String, String> nodeSelector;

    @JsonPropertyDescription("Tolerations of the stage pod (e.g. for tainted GPU nodes).")
    public List<Toleration> tolerations;

    @JsonPropertyDescription("Affinity rules of the stage pod.")
    public Affinity affinity;

    @JsonPropertyDescription("PriorityClass of the stage pod. Unset: where the operator uses stage classes (the Helm "
            + "chart's stagePriorityClasses.use), the stage's own: mmalign-dataset, mmalign-training or "
            + "mmalign-evaluation. The chart also ships mmalign-training-long, for a training known to run longest: it "
            + "starts before the other trainings waiting with it.")
    @Size(max = 253)
    public String priorityClassName;

    public ComputeResources() {}
}
