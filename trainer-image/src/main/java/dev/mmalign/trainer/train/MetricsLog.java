package dev.mmalign.trainer.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.engine.train.MetricsListener;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends one JSON line per optimiser step to the run's metrics log (ArtifactLayout.METRICS_LOG): {@code step},
 * {@code total_steps}, then the engine's metrics, non-finite values as null (JSON has no NaN). Idempotent on resume:
 * at the first step of an attempt, lines of that step or later (logged by an earlier attempt after its last
 * checkpoint) and a torn last line are dropped, so the log holds every step once.
 */
final class MetricsLog implements MetricsListener {

    private final Path file;
    private boolean trimmed;

    MetricsLog(Path file) {
        this.file = file;
    }

    @Override
    public void onStep(int step, int totalSteps, Map<String, Double> metrics) {
        try {
            if (!trimmed) {
                keepStepsBefore(step);
                trimmed = true;
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", step);
            line.put("total_steps", totalSteps);
            metrics.forEach((k, v) -> line.put(k, v == null || !Double.isFinite(v) ? null : v));
            // Opened per line (a step takes far longer), so nothing is left open when training throws.
            Files.writeString(file, Json.MAPPER.writeValueAsString(line) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Keeps only the lines of steps before {@code firstStep}. */
    private void keepStepsBefore(int firstStep) throws IOException {
        StringBuilder kept = new StringBuilder();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(line);
                } catch (IOException torn) {
                    continue; // the line a killed attempt was writing
                }
                if (node != null && node.path("step").isInt() && node.get("step").asInt() < firstStep) {
                    kept.append(line).append('\n');
                }
            }
        }
        AtomicFiles.write(file, kept.toString());
    }
}
