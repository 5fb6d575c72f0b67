package dev.mmalign.trainer.quickstart;


import dev.mmalign.trainer.evaluate.ResultsFile;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The results table as plain text: one row per model, one column per benchmark/metric (Table 2 of the paper). */
public final class ResultsTable {

    /** The columns shown; the rest stays in results.json and the HTML report. */
    static final List<String> COLUMNS = List.of("pope/f1", "pope/accuracy", "pope/yesRatio", "mmbench/accuracy",
            "mmbench/firstPassAccuracy", "text-only/accuracy", "text-only/containsAccuracy");

    private ResultsTable() {}

    public static String render(ResultsFile.Table table) {
        List<String> columns = new ArrayList<>();
        Set<String> present = new LinkedHashSet<>();
        table.models().values().forEach(b -> b.forEach((bench, metrics) ->
                metrics.keySet().forEach(m -> present.add(bench + "/" + m))));
        for (String c : COLUMNS) if (present.contains(c)) columns.add(c);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%-20s", "model"));
        for (String c : columns) text.append(String.format(Locale.ROOT, " %14s", shorten(c)));
        text.append('\n');
        for (Map.Entry<String, Map<String, Map<String, Double>>> model : table.models().entrySet()) {
            text.append(String.format(Locale.ROOT, "%-20s", model.getKey()));
            for (String c : columns) {
                String[] parts = c.split("/", 2);
                Double v = model.getValue().getOrDefault(parts[0], Map.of()).get(parts[1]);
                text.append(v == null ? String.format(Locale.ROOT, " %14s", "-")
                        : String.format(Locale.ROOT, " %14.3f", v));
            }
            text.append('\n');
        }
        return text.toString();
    }

    private static String shorten(String column) {
        return column.replace("text-only", "text").replace("firstPassAccuracy", "acc1st").replace("containsAccuracy", "contains")
                .replace("accuracy", "acc");
    }
}
