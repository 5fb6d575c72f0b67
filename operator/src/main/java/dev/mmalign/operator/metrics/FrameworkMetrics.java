package dev.mmalign.operator.metrics;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the Java Operator SDK reports about its work, as metrics of bounded cardinality: labelled by kind (and by
 * event action or exception class, both small fixed sets), never by resource name or namespace, so the number of series
 * does not grow with the number of resources.
 * <p>
 * This bean replaces the framework's default (the extension's {@code MicrometerMetricsProvider}, a
 * {@code @DefaultBean} producing JOSDK's {@code MicrometerMetrics} with per-resource collection: ~78 series per
 * resource, with its name and namespace in labels and the controller's name in metric names, kept long after the
 * resource is deleted). {@link OperatorMeterFilters} drops anything still named {@code operator.sdk.*}.
 * <ul>
 *   <li>{@code mmalign_controller_events_total{kind,action}}: events received (ADDED, UPDATED, DELETED, or Other for
 *       the Jobs and timers that trigger a reconcile);</li>
 *   <li>{@code mmalign_controller_retries_total{kind}}: reconciles that retry one that failed;</li>
 *   <li>{@code mmalign_controller_failures_total{kind,exception}}: reconciles that threw, by exception class;</li>
 *   <li>{@code mmalign_controller_reconciles_in_flight{kind}}: reconciles running now.</li>
 * </ul>
 * Reconcile counts and durations by outcome, and resources by phase, are {@link OperatorMetrics}'.
 */
@Singleton
public class FrameworkMetrics implements Metrics {

    private final MeterRegistry registry;
    private final OperatorMetrics operatorMetrics;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public FrameworkMetrics(MeterRegistry registry, OperatorMetrics operatorMetrics) {
        this.registry = registry;
        this.operatorMetrics = operatorMetrics;
    }

    @Override
    public void receivedEvent(Event event, Map<String, Object> metadata) {
        String action = event instanceof ResourceEvent re ? re.getAction().name() : "Other";
        Counter.builder("mmalign.controller.events").description("Events the operator received, by kind and action")
                .tag("kind", kind(metadata)).tag("action", action).register(registry).increment();
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        if (retryInfo != null && retryInfo.getAttemptCount() > 0) {
            Counter.builder("mmalign.controller.retries").description("Reconciles retrying one that failed, by kind")
                    .tag("kind", resource.getKind()).register(registry).increment();
        }
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        Throwable cause = exception.getCause() != null ? exception.getCause() : exception;
        Counter.builder("mmalign.controller.failures")
                .description("Reconciles that threw, by kind and exception class")
                .tag("kind", resource.getKind()).tag("exception", cause.getClass().getSimpleName())
                .register(registry).increment();
    }

    @Override
    public void reconciliationExecutionStarted(HasMetadata resource, Map<String, Object> metadata) {
        inFlight(resource.getKind()).incrementAndGet();
    }

    @Override
    public void reconciliationExecutionFinished(HasMetadata resource, Map<String, Object> metadata) {
        inFlight(resource.getKind()).decrementAndGet();
    }

    /** The framework is done with a deleted resource: forget what was kept about it. */
    @Override
    public void cleanupDoneFor(ResourceID resourceID, Map<String, Object> metadata) {
        operatorMetrics.resourceDeleted(kind(metadata), resourceID);
    }

    private AtomicInteger inFlight(String kind) {
        return inFlight.computeIfAbsent(kind, k -> {
            AtomicInteger count = new AtomicInteger();
            // A registry outliving this bean (tests restart the application in one JVM) would keep the old gauge.
            registry.find("mmalign.controller.reconciles.in.flight").tag("kind", k).gauges()
                    .forEach(registry::remove);
            Gauge.builder("mmalign.controller.reconciles.in.flight", count, AtomicInteger::get)
                    .description("Reconciles running now, by kind").tag("kind", k).register(registry);
            return count;
        });
    }

    private static String kind(Map<String, Object> metadata) {
        Object gvk = metadata == null ? null : metadata.get(Constants.RESOURCE_GVK_KEY);
        return gvk instanceof GroupVersionKind g ? g.getKind() : "unknown";
    }
}
