package dev.mmalign.trainer.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One line of a run's metrics log (ArtifactLayout.METRICS_LOG): the step and its metrics (null: not finite). */
public record StepMetrics(int step, Map<String, Double> values) {

    /** Reads a metrics log; a line that is not a JSON object with an integer step is an error naming file and line. */
    public static List<StepMetrics> read(Path file) throws IOException {
        List<StepMetrics> out = new ArrayList<>();
        long number = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (IOException e) {
                throw new InvalidInputException(file, number, "not a JSON object");
            }
            if (node == null || !node.path("step").isInt()) {
                throw new InvalidInputException(file, number, "lacks an integer \"step\"");
            }
            Map<String, Double> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("step")) continue;
                values.put(e.getKey(), e.getValue().isNumber() ? e.getValue().asDouble() : null);
            }
            out.add(new StepMetrics(node.get("step").asInt(), values));
        }
        return out;
    }
}
