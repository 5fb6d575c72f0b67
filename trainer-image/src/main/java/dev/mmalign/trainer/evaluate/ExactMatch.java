package dev.mmalign.trainer.evaluate;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Short-answer scoring: both sides lower-cased, punctuation, articles and extra spaces removed (the SQuAD
 * normalisation). {@code exact}: the normalised answer equals the expected one; {@code contains}: it appears as whole
 * words inside the answer (lenient, for models that answer in sentences).
 */
public final class ExactMatch {

    private static final Pattern PUNCTUATION = Pattern.compile("[\\p{Punct}]");
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");

    private ExactMatch() {}

    public static String normalize(String s) {
        String t = s == null ? "" : s.toLowerCase(Locale.ROOT);
        t = PUNCTUATION.matcher(t).replaceAll(" ");
        t = ARTICLES.matcher(t).replaceAll(" ");
        return t.trim().replaceAll("\\s+", " ");
    }

    public static boolean exact(String prediction, String expected) {
        return normalize(prediction).equals(normalize(expected));
    }

    public static boolean contains(String prediction, String expected) {
        String p = " " + normalize(prediction) + " ";
        String e = normalize(expected);
        return !e.isEmpty() && p.contains(" " + e + " ");
    }
}
