package dev.mmalign.operator.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Meter filters of the operator's registry (Quarkus applies every MeterFilter bean). The Java Operator SDK's own
 * Micrometer metrics are named operator.sdk.*; {@link FrameworkMetrics} replaces them, and this filter makes sure none
 * is ever exported (they carry resource names and namespaces in labels: series per resource, never removed).
 */
@Singleton
public class OperatorMeterFilters {

    static final String FRAMEWORK_PREFIX = "operator.sdk.";

    @Produces
    @Singleton
    public MeterFilter denyFrameworkPerResourceMetrics() {
        return MeterFilter.denyNameStartsWith(FRAMEWORK_PREFIX);
    }
}
