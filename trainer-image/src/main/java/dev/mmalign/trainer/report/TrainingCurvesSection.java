package dev.mmalign.trainer.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-run training curves from the runs' metrics logs: loss, the DPO rewards (accuracies, margins, chosen and
 * rejected), the policy's chosen and rejected log-probs, learning rate and gradient norm, each against the step. A
 * chart whose metrics a run did not log (SFT has no rewards) is left out, and the run says which.
 */
public final class TrainingCurvesSection {

    public static final String ID = "training";
    public static final String TITLE = "Training curves";

    /** A chart: its caption and the metrics drawn on it. */
    private record Chart(String caption, List<String> metrics) {}

    private static final List<Chart> CHARTS = List.of(
            new Chart("loss", List.of("loss")),
            new Chart("rewards/accuracies", List.of("rewards/accuracies")),
            new Chart("rewards/margins", List.of("rewards/margins")),
            new Chart("rewards (chosen, rejected)", List.of("rewards/chosen", "rewards/rejected")),
            new Chart("log-probs (chosen, rejected)", List.of("logps/chosen", "logps/rejected")),
            new Chart("learning_rate", List.of("learning_rate")),
            new Chart("grad_norm", List.of("grad_norm")));

    private TrainingCurvesSection() {}

    /** Runs by name, each its logged steps in order; runs without a log are listed in {@code missing}. */
    public static Section render(Map<String, List<StepMetrics>> runs, Map<String, String> missing) {
        if (runs.isEmpty()) {
            return Section.omitted(ID, TITLE, missing.isEmpty() ? "no trained run among the models"
                    : "no metrics log found (" + describe(missing) + ")");
        }
        StringBuilder h = new StringBuilder();
        for (Map.Entry<String, List<StepMetrics>> run : runs.entrySet()) {
            List<StepMetrics> steps = run.getValue();
            h.append("<h3 class=\"run\" data-run=\"").append(Html.esc(run.getKey())).append("\">")
                    .append(Html.esc(run.getKey())).append(" <small>").append(steps.size())
                    .append(" steps logged</small></h3>\n<div class=\"charts\">");
            List<String> absent = new ArrayList<>();
            for (Chart c : CHARTS) {
                List<LineChart.Series> series = new ArrayList<>();
                for (String metric : c.metrics()) {
                    double[] x = new double[steps.size()];
                    double[] y = new double[steps.size()];
                    boolean any = false;
                    for (int i = 0; i < steps.size(); i++) {
                        Double v = steps.get(i).values().get(metric);
                        x[i] = steps.get(i).step();
                        y[i] = v == null ? Double.NaN : v;
                        any |= v != null;
                    }
                    if (any) series.add(new LineChart.Series(metric, x, y));
                }
                if (series.isEmpty()) {
                    absent.add(c.caption());
                } else {
                    h.append(LineChart.render(c.caption(), "step", series));
                }
            }
            h.append("</div>\n");
            if (!absent.isEmpty()) {
                h.append("<p class=\"note\">Not logged by this run: ").append(Html.esc(String.join(", ", absent)))
                        .append("</p>\n");
            }
        }
        if (!missing.isEmpty()) {
            h.append("<p class=\"note\">No metrics log: ").append(Html.esc(describe(missing))).append("</p>\n");
        }
        return Section.of(ID, TITLE, h.toString());
    }

    private static String describe(Map<String, String> missing) {
        List<String> parts = new ArrayList<>();
        missing.forEach((run, why) -> parts.add(run + ": " + why));
        return String.join("; ", parts);
    }
}
