package dev.mmalign.trainer.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which option an MMBench answer chose, by VLMEvalKit's rule-based matching ({@code can_infer} in
 * open-compass/VLMEvalKit vlmeval/utils/matching_util.py), the "exact matching" policy it applies when no GPT matcher
 * is configured:
 * <ol>
 * <li>a known refusal ("Cannot determine the answer", ...) is option Z;</li>
 * <li>with the characters {@code .()[],:;!*#{}} turned into spaces and the text split on whitespace, exactly one
 * option letter standing alone as a word is that option; no option letter but a standalone Z is Z;</li>
 * <li>otherwise, exactly one option whose text (lower-cased) occurs in the answer (lower-cased) is that option;</li>
 * <li>otherwise nothing: the answer counts as wrong.</li>
 * </ol>
 */
public final class MmbenchAnswer {

    private static final List<String> REFUSALS = List.of("Sorry, I can't help with images of people yet.",
            "I can't process this file.", "I'm sorry, but without the image provided", "Cannot determine the answer");
    private static final String SEPARATORS = ".()[],:;!*#{}";

    private MmbenchAnswer() {}

    /** @param choices option letter to option text, in letter order; @return the letter, 'Z', or null */
    public static Character infer(String answer, Map<Character, String> choices) {
        String a = answer == null ? "" : answer;
        Character option = inferOption(a, choices);
        return option != null ? option : inferText(a, choices);
    }

    private static Character inferOption(String answer, Map<Character, String> choices) {
        if (answer.contains("Failed to obtain answer via API")) return null;
        for (String refusal : REFUSALS) if (answer.contains(refusal)) return 'Z';
        StringBuilder mod = new StringBuilder(answer.length());
        for (char c : answer.toCharArray()) mod.append(SEPARATORS.indexOf(c) >= 0 ? ' ' : c);
        List<String> words = pythonSplit(mod.toString());
        int count = 0;
        for (Character letter : choices.keySet()) if (words.contains(letter.toString())) count++;
        if (count == 1) {
            for (Character letter : choices.keySet()) if (words.contains(letter.toString())) return letter;
        } else if (count == 0 && words.contains("Z")) {
            return 'Z';
        }
        return null;
    }

    private static Character inferText(String answer, Map<Character, String> choices) {
        String lower = answer.toLowerCase(Locale.ROOT);
        Character found = null;
        int candidates = 0;
        for (Map.Entry<Character, String> e : choices.entrySet()) {
            if (lower.contains(e.getValue().toLowerCase(Locale.ROOT))) {
                found = e.getKey();
                candidates++;
            }
        }
        return candidates == 1 ? found : null;
    }

    /** Python's str.split() with no argument: runs of whitespace separate, no empty words. */
    private static List<String> pythonSplit(String s) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085') {
                if (w.length() > 0) words.add(w.toString());
                w.setLength(0);
            } else {
                w.append(c);
            }
        }
        if (w.length() > 0) words.add(w.toString());
        return words;
    }
}
