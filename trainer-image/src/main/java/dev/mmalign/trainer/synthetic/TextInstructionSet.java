package dev.mmalign.trainer.synthetic;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Text-only instructions with short answers a rule can score, so that language ability can be measured apart from
 * vision, as the paper does with MT-Bench and AlpacaEval: arithmetic, opposites, weekdays, list manipulation (first
 * and last item), repeating a word, and simple facts of the synthetic world (corners of its shapes, colour or shape).
 *
 * <p>Every question of every category is enumerated once and a seeded share of them is held out, so a held-out
 * question is never word for word in the training instructions: answering it needs the skill or the fact learned
 * from other phrasings (each fact has two), not a memorised line.
 */
public final class TextInstructionSet {

    private static final String[][] OPPOSITES = {
        {"hot", "cold"}, {"big", "small"}, {"up", "down"}, {"fast", "slow"}, {"day", "night"}, {"open", "closed"},
        {"light", "dark"}, {"early", "late"}, {"full", "empty"}, {"old", "new"}, {"wet", "dry"}, {"loud", "quiet"}
    };
    private static final String[] DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday"};
    private static final String[] CORNERS = {"circle", "0", "triangle", "3", "square", "4"};
    /** Share of each category's questions held out. */
    private static final double HELDOUT_SHARE = 0.25;

    /** The training and held-out instructions of one world. */
    public record Split(List<SyntheticPrompt> train, List<SyntheticPrompt> heldout) {}

    private TextInstructionSet() {}

    /**
     * {@code trainCount} training instructions (a category uniformly, then one of its training questions; repeats
     * allowed, as epochs over a small set would repeat them) and up to {@code heldoutCount} held-out ones, taken
     * from the categories in turn.
     */
    public static Split split(int trainCount, int heldoutCount, long seed) {
        Random random = new Random(seed);
        List<List<SyntheticPrompt>> trainPools = new ArrayList<>();
        List<List<SyntheticPrompt>> heldoutPools = new ArrayList<>();
        for (List<SyntheticPrompt> category : categories()) {
            List<SyntheticPrompt> shuffled = new ArrayList<>(category);
            java.util.Collections.shuffle(shuffled, random);
            int held = (int) Math.round(shuffled.size() * HELDOUT_SHARE);
            heldoutPools.add(shuffled.subList(0, held));
            trainPools.add(shuffled.subList(held, shuffled.size()));
        }
        List<SyntheticPrompt> train = new ArrayList<>();
        for (int i = 0; i < trainCount; i++) {
            List<SyntheticPrompt> pool = trainPools.get(random.nextInt(trainPools.size()));
            train.add(withId(pool.get(random.nextInt(pool.size())), "text-train-" + i));
        }
        List<SyntheticPrompt> heldout = new ArrayList<>();
        for (int round = 0; heldout.size() < heldoutCount; round++) {
            boolean any = false;
            for (List<SyntheticPrompt> pool : heldoutPools) {
                if (round < pool.size() && heldout.size() < heldoutCount) {
                    heldout.add(withId(pool.get(round), "text-heldout-" + heldout.size()));
                    any = true;
                }
            }
            if (!any) break;
        }
        return new Split(train, heldout);
    }

    /** Every question, by category; ids are set when a question is drawn. */
    static List<List<SyntheticPrompt>> categories() {
        List<List<SyntheticPrompt>> all = new ArrayList<>();
        List<SyntheticPrompt> plus = new ArrayList<>();
        for (int a = 1; a <= 9; a++) {
            for (int b = 1; b <= 9; b++) {
                String sum = Integer.toString(a + b);
                plus.add(text("What is " + a + " plus " + b + "?", sum, a + " plus " + b + " is " + sum + "."));
                plus.add(text("Add " + a + " and " + b + ".", sum, a + " plus " + b + " is " + sum + "."));
            }
        }
        all.add(plus);
        List<SyntheticPrompt> times = new ArrayList<>();
        for (int a = 2; a <= 5; a++) {
            for (int b = 2; b <= 5; b++) {
                String product = Integer.toString(a * b);
                String gold = a + " times " + b + " is " + product + ".";
                times.add(text("What is " + a + " times " + b + "?", product, gold));
                times.add(text("Multiply " + a + " by " + b + ".", product, gold));
            }
        }
        all.add(times);
        List<SyntheticPrompt> opposites = new ArrayList<>();
        for (String[] pair : OPPOSITES) {
            for (int k = 0; k < 2; k++) {
                String word = pair[k];
                String opposite = pair[1 - k];
                String gold = "The opposite of \"" + word + "\" is \"" + opposite + "\".";
                opposites.add(text("What is the opposite of \"" + word + "\"?", opposite, gold));
                opposites.add(text("Give the opposite of the word " + word + ".", opposite, gold));
            }
        }
        all.add(opposites);
        List<SyntheticPrompt> days = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            String day = cap(DAYS[d]);
            String next = DAYS[(d + 1) % 7];
            String before = DAYS[(d + 6) % 7];
            days.add(text("Which day comes after " + day + "?", next, cap(next) + " comes after " + day + "."));
            days.add(text("What is the day after " + day + "?", next, cap(next) + " comes after " + day + "."));
            days.add(text("Which day comes before " + day + "?", before, cap(before) + " comes before " + day + "."));
            days.add(text("What is the day before " + day + "?", before, cap(before) + " comes before " + day + "."));
        }
        all.add(days);
        List<String> words = new ArrayList<>();
        for (ShapeColor c : ShapeColor.values()) words.add(c.word());
        for (Shape s : Shape.values()) words.add(s.word());
        List<SyntheticPrompt> lists = new ArrayList<>();
        for (String a : words) {
            for (String b : words) {
                for (String c : words) {
                    if (a.equals(b) || b.equals(c) || a.equals(c)) continue;
                    String list = a + ", " + b + ", " + c;
                    lists.add(text("What is the first item of the list " + list + "?", a,
                            "The first item is " + a + "."));
                    lists.add(text("What is the last item of the list " + list + "?", c,
                            "The last item is " + c + "."));
                }
            }
        }
        all.add(lists);
        List<SyntheticPrompt> repeat = new ArrayList<>();
        for (String w : words) {
            repeat.add(text("Say the word " + w + " twice.", w + " " + w, w + " " + w + "."));
            repeat.add(text("Repeat " + w + " two times.", w + " " + w, w + " " + w + "."));
        }
        all.add(repeat);
        List<SyntheticPrompt> facts = new ArrayList<>();
        for (int i = 0; i < CORNERS.length; i += 2) {
            String gold = "A " + CORNERS[i] + " has " + CORNERS[i + 1] + " corners.";
            facts.add(text("How many corners does a " + CORNERS[i] + " have?", CORNERS[i + 1], gold));
            facts.add(text("Count the corners of a " + CORNERS[i] + ".", CORNERS[i + 1], gold));
        }
        for (ShapeColor c : ShapeColor.values()) {
            facts.add(text("Is " + c.word() + " a color or a shape?", "color", cap(c.word()) + " is a color."));
            facts.add(text("Tell me whether " + c.word() + " is a shape or a color.", "color",
                    cap(c.word()) + " is a color."));
        }
        for (Shape s : Shape.values()) {
            facts.add(text("Is " + s.word() + " a color or a shape?", "shape", cap(s.word()) + " is a shape."));
            facts.add(text("Tell me whether " + s.word() + " is a shape or a color.", "shape",
                    cap(s.word()) + " is a shape."));
        }
        all.add(facts);
        for (List<SyntheticPrompt> category : all) {
            Set<String> seen = new HashSet<>();
            for (SyntheticPrompt p : category) {
                if (!seen.add(p.question())) throw new IllegalStateException("duplicate question " + p.question());
            }
        }
        return all;
    }

    private static SyntheticPrompt withId(SyntheticPrompt p, String id) {
        return new SyntheticPrompt(id, null, p.question(), p.goldAnswer(), p.truth());
    }

    private static SyntheticPrompt text(String question, String answer, String gold) {
        return new SyntheticPrompt(null, null, question, gold, new PromptTruth(PromptTruth.Kind.TEXT, answer, List.of()));
    }

    private static String cap(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
