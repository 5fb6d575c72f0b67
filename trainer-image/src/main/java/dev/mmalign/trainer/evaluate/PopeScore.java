package dev.mmalign.trainer.evaluate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * POPE's scoring, as its reference script (RUCAIBox/POPE evaluate.py, and LLaVA's llava/eval/eval_pope.py which
 * repeats it): an answer's first sentence (the text before the first '.') with commas removed, split on single
 * spaces; it is "no" when one of the words is exactly {@code No}, {@code no} or {@code not} (case-sensitive, so "NO"
 * or "Not" do not count, and a word glued to a newline or other punctuation does not either), otherwise "yes". "yes"
 * is the positive class. Metrics: accuracy, precision, recall, f1, yesRatio.
 */
public final class PopeScore {

    private PopeScore() {}

    public static String parse(String answer) {
        String text = answer == null ? "" : answer;
        int dot = text.indexOf('.');
        if (dot >= 0) text = text.substring(0, dot);
        // split(" ", -1) is Python's str.split(' '): empty words between double spaces, no trimming.
        for (String word : text.replace(",", "").split(" ", -1)) {
            if (word.equals("No") || word.equals("no") || word.equals("not")) return "no";
        }
        return "yes";
    }

    /** @param pairs (label, predicted) per question */
    public static Map<String, Double> metrics(List<String[]> pairs) {
        long tp = 0, fp = 0, tn = 0, fn = 0, yes = 0;
        for (String[] p : pairs) {
            boolean label = p[0].equals("yes");
            boolean predicted = p[1].equals("yes");
            if (predicted) yes++;
            if (label && predicted) tp++;
            else if (!label && predicted) fp++;
            else if (!label) tn++;
            else fn++;
        }
        double n = pairs.size();
        double precision = tp + fp == 0 ? 0 : tp / (double) (tp + fp);
        double recall = tp + fn == 0 ? 0 : tp / (double) (tp + fn);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", n == 0 ? 0 : (tp + tn) / n);
        m.put("precision", precision);
        m.put("recall", recall);
        m.put("f1", precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
        m.put("yesRatio", n == 0 ? 0 : yes / n);
        m.put("n", n);
        return m;
    }
}
