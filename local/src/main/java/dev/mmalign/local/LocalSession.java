package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/** What {@link LocalCommand} started, for {@link LocalRun}. */
record LocalSession(LocalOptions options, EmbeddedApiServer api, LocalJobExecutor jobs, List<HasMetadata> manifests,
                    PrintStream out, Instant start) {
}
