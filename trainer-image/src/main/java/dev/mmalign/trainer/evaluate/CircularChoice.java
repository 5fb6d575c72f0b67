package dev.mmalign.trainer.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MMBench's circular evaluation: a question with n options is asked n times with the options rotated; it counts as
 * right only when every rotation is answered right, which removes the gain of always guessing one letter.
 */
public final class CircularChoice {

    private static final Pattern LETTER = Pattern.compile("(?:^|[^A-Za-z])([A-E])(?:[^A-Za-z]|$)");

    private CircularChoice() {}

    /** The options of rotation r: letter i shows original option (i + r) mod n. */
    public static List<String> rotate(List<String> options, int r) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) out.add(options.get((i + r) % options.size()));
        return out;
    }

    /** The correct letter in rotation r for an original answer letter. */
    public static char correctLetter(char original, int r, int n) {
        return (char) ('A' + Math.floorMod(original - 'A' - r, n));
    }

    /** The prompt in LLaVA's MMBench form. */
    public static String prompt(String hint, String question, List<String> options) {
        StringBuilder p = new StringBuilder();
        if (hint != null) p.append(hint).append('\n');
        p.append(question);
        for (int i = 0; i < options.size(); i++) {
            p.append('\n').append((char) ('A' + i)).append(". ").append(options.get(i));
        }
        return p.append("\nAnswer with the option's letter from the given choices directly.").toString();
    }

    /** The chosen letter: a standalone option letter, else the option whose text the answer starts with; or null. */
    public static Character extract(String answer, List<String> options) {
        String a = answer == null ? "" : answer.trim();
        Matcher m = LETTER.matcher(a);
        if (m.find() && m.group(1).charAt(0) - 'A' < options.size()) {
            return m.group(1).charAt(0);
        }
        String lower = a.toLowerCase(Locale.ROOT);
        for (int i = 0; i < options.size(); i++) {
            if (!options.get(i).isBlank() && lower.startsWith(options.get(i).toLowerCase(Locale.ROOT))) {
                return (char) ('A' + i);
            }
        }
        return null;
    }
}
