package dev.mmalign.trainer.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small text-only instruction set with short exact answers (arithmetic, opposites, the next weekday), so that
 * language ability can be measured apart from vision, as the paper does with MT-Bench and AlpacaEval.
 */
public final class TextInstructionSet {

    private static final String[][] OPPOSITES = {
        {"hot", "cold"}, {"big", "small"}, {"up", "down"}, {"fast", "slow"}, {"day", "night"}, {"open", "closed"},
        {"light", "dark"}, {"early", "late"}, {"full", "empty"}, {"old", "new"}, {"wet", "dry"}, {"loud", "quiet"}
    };
    private static final String[] DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

    private TextInstructionSet() {}

    public static List<SyntheticPrompt> generate(String idPrefix, int count, long seed) {
        Random random = new Random(seed);
        List<SyntheticPrompt> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = idPrefix + "-" + i;
            SyntheticPrompt p = switch (random.nextInt(4)) {
                case 0 -> {
                    int a = random.nextInt(20);
                    int b = random.nextInt(20);
                    yield text(id, "What is " + a + " plus " + b + "?", Integer.toString(a + b),
                            a + " plus " + b + " is " + (a + b) + ".");
                }
                case 1 -> {
                    int a = 2 + random.nextInt(8);
                    int b = 2 + random.nextInt(8);
                    yield text(id, "What is " + a + " times " + b + "?", Integer.toString(a * b),
                            a + " times " + b + " is " + (a * b) + ".");
                }
                case 2 -> {
                    String[] pair = OPPOSITES[random.nextInt(OPPOSITES.length)];
                    yield text(id, "What is the opposite of \"" + pair[0] + "\"?", pair[1],
                            "The opposite of \"" + pair[0] + "\" is \"" + pair[1] + "\".");
                }
                default -> {
                    int d = random.nextInt(7);
                    String next = DAYS[(d + 1) % 7];
                    yield text(id, "Which day comes after " + DAYS[d] + "?", next.toLowerCase(java.util.Locale.ROOT),
                            next + " comes after " + DAYS[d] + ".");
                }
            };
            out.add(p);
        }
        return out;
    }

    private static SyntheticPrompt text(String id, String question, String answer, String gold) {
        return new SyntheticPrompt(id, null, question, gold, new PromptTruth(PromptTruth.Kind.TEXT, answer, List.of()));
    }
}
