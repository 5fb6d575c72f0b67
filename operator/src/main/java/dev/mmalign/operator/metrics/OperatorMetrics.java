package dev.mmalign.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The operator's own Prometheus metrics (at /q/metrics, next to the framework's, see {@link FrameworkMetrics}, and the
 * JVM's): mmalign_reconcile_seconds{kind,outcome} (count and duration of reconciles), mmalign_resources{kind,phase},
 * mmalign_job_failures_total{kind,stage,reason}, mmalign_gpu_seconds_total{kind}. Labels are kinds, phases, stages,
 * outcomes and failure reasons, never a resource's name: the number of series does not grow with the resources.
 */
@ApplicationScoped
public class OperatorMetrics {

    private final MeterRegistry registry;
    private final Map<String, Map<ResourceID, String>> phasesByKind = new ConcurrentHashMap<>();

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public Timer.Sample startReconcile() {
        return Timer.start(registry);
    }

    public void reconciled(Timer.Sample sample, String kind, String outcome) {
        sample.stop(Timer.builder("mmalign.reconcile").description("Reconciles of mmalign resources")
                .tag("kind", kind).tag("outcome", outcome).register(registry));
    }

    /**
     * Registers one gauge per phase of {@code kind}. Phases are those the last reconcile of each resource wrote;
     * resources that are gone from the operator's cache ({@code exists} false) are no longer counted.
     */
    public void phaseGauges(String kind, Enum<?>[] phases, Predicate<ResourceID> exists) {
        Map<ResourceID, String> current = phasesByKind.computeIfAbsent(kind, k -> new ConcurrentHashMap<>());
        // A registry outliving this bean (tests restart the application in one JVM) would otherwise keep answering
        // from the gauges of the previous instance.
        registry.find("mmalign.resources").tag("kind", kind).gauges().forEach(registry::remove);
        for (Enum<?> phase : phases) {
            Gauge.builder("mmalign.resources", () -> {
                current.keySet().removeIf(id -> !exists.test(id));
                return current.values().stream().filter(phase.name()::equals).count();
            }).description("mmalign resources by phase").tag("kind", kind).tag("phase", phase.name())
                    .register(registry);
        }
    }

    /** Records the phase a reconcile wrote. */
    public void phase(String kind, HasMetadata resource, Enum<?> phase) {
        phasesByKind.computeIfAbsent(kind, k -> new ConcurrentHashMap<>())
                .put(ResourceID.fromResource(resource), phase.name());
    }

    /** Forgets the phase of a resource that is gone (called when the framework has cleaned up after its deletion). */
    public void resourceDeleted(String kind, ResourceID resource) {
        Map<ResourceID, String> current = phasesByKind.get(kind);
        if (current != null) {
            current.remove(resource);
        }
    }

    public void jobFailed(String kind, String stage, String reason) {
        Counter.builder("mmalign.job.failures").description("Stage Jobs that failed, by reason")
                .tag("kind", kind).tag("stage", stage).tag("reason", reason).register(registry).increment();
    }

    public void gpuSeconds(String kind, long seconds) {
        if (seconds > 0) {
            Counter.builder("mmalign.gpu.seconds").description("Accelerator-seconds consumed by stage pods")
                    .tag("kind", kind).register(registry).increment(seconds);
        }
    }
}
