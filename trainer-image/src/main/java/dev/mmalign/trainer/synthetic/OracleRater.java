package dev.mmalign.trainer.synthetic;

import dev.mmalign.api.dataset.HelpSteerAttribute;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rates a completion of a synthetic prompt from the known truth, deterministically, on the HelpSteer attributes:
 * correctness from the facts (yes/no, colour, count, position, objects described vs. hallucinated), helpfulness from
 * correctness with a penalty for empty or rambling answers, coherence from repetition, complexity and verbosity from
 * length relative to the gold answer. It stands in for the Gemini judge where the truth is known.
 */
public final class OracleRater {

    private static final Pattern WORD = Pattern.compile("[a-z0-9]+");

    public Map<HelpSteerAttribute, Integer> rate(PromptTruth truth, String goldAnswer, String completion) {
        String text = completion == null ? "" : completion.toLowerCase(Locale.ROOT);
        List<String> words = words(text);
        int correctness = words.isEmpty() ? 0 : correctness(truth, text, words);
        int goldWords = Math.max(1, words(goldAnswer == null ? truth.answer() : goldAnswer.toLowerCase(Locale.ROOT))
                .size());
        double lengthRatio = words.size() / (double) goldWords;
        int helpfulness = words.isEmpty() ? 0 : clamp(correctness - (lengthRatio > 3 ? 1 : 0));
        Map<HelpSteerAttribute, Integer> r = new EnumMap<>(HelpSteerAttribute.class);
        r.put(HelpSteerAttribute.HELPFULNESS, helpfulness);
        r.put(HelpSteerAttribute.CORRECTNESS, correctness);
        r.put(HelpSteerAttribute.COHERENCE, words.isEmpty() ? 0 : clamp(4 - repeats(words)));
        r.put(HelpSteerAttribute.COMPLEXITY, words.size() < 4 ? 1 : words.size() < 10 ? 2 : words.size() < 25 ? 3 : 4);
        r.put(HelpSteerAttribute.VERBOSITY, words.isEmpty() ? 0
                : lengthRatio < 0.5 ? 1 : lengthRatio <= 1.5 ? 2 : lengthRatio <= 3 ? 3 : 4);
        return r;
    }

    private static int correctness(PromptTruth truth, String text, List<String> words) {
        return switch (truth.kind()) {
            case EXISTS -> {
                String said = yesOrNo(words);
                yield said == null ? 1 : said.equals(truth.answer()) ? 4 : 0;
            }
            case COLOR -> oneOf(words, truth.answer(), names(ShapeColor.values()));
            case POSITION -> oneOf(words, truth.answer(), List.of("left", "middle", "right"));
            case COUNT -> oneOf(words, truth.answer(), List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
            case DESCRIBE -> describe(truth, text);
            case TEXT -> words.contains(truth.answer().toLowerCase(Locale.ROOT))
                    || text.contains(truth.answer().toLowerCase(Locale.ROOT)) ? 4 : 0;
        };
    }

    /** POPE's rule: an answer mentioning "no" or "not" is a no, otherwise one mentioning "yes" is a yes. */
    static String yesOrNo(List<String> words) {
        if (words.contains("no") || words.contains("not")) return "no";
        if (words.contains("yes")) return "yes";
        return null;
    }

    /** 4 when the answer is named alone, 2 when named beside other candidates (hedging), else 0. */
    private static int oneOf(List<String> words, String answer, List<String> candidates) {
        boolean right = words.contains(answer);
        boolean wrong = candidates.stream().anyMatch(c -> !c.equals(answer) && words.contains(c));
        return right && !wrong ? 4 : right ? 2 : 0;
    }

    /** Objects named in the text out of those in the image, minus two points per object named but absent. */
    private static int describe(PromptTruth truth, String text) {
        List<String> mentioned = new ArrayList<>();
        for (ShapeColor c : ShapeColor.values()) {
            for (Shape s : Shape.values()) {
                Matcher m = Pattern.compile("\\b" + c.word() + " " + s.word() + "s?\\b").matcher(text);
                if (m.find()) {
                    mentioned.add(c.word() + " " + s.word());
                }
            }
        }
        long found = truth.objects().stream().filter(mentioned::contains).count();
        long hallucinated = mentioned.stream().filter(m -> !truth.objects().contains(m)).count();
        double recall = truth.objects().isEmpty() ? 0 : found / (double) truth.objects().size();
        return clamp((int) Math.round(4 * recall) - 2 * (int) hallucinated);
    }

    private static int repeats(List<String> words) {
        int n = 0;
        for (int i = 1; i < words.size(); i++) {
            if (words.get(i).equals(words.get(i - 1))) n++;
        }
        return n;
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text);
        while (m.find()) out.add(m.group());
        return out;
    }

    private static List<String> names(ShapeColor[] colors) {
        List<String> out = new ArrayList<>();
        for (ShapeColor c : colors) out.add(c.word());
        return out;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(4, v));
    }
}
