package dev.mmalign.trainer.synthetic;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Text-only instructions with short answers a rule can score, so that language ability can be measured apart from
 * vision, as the paper does with MT-Bench and AlpacaEval. Every category is one a two-layer byte-level model can learn
 * from a few hundred steps and then answer for questions it never saw:
 * <ul>
 *   <li>facts from small closed tables, each asked in two phrasings (opposites, the day after or before, corners of
 *       the world's shapes, whether a word is a colour or a shape): a held-out question is a fact whose other
 *       phrasing is in training, so it needs the fact recalled under new words, not a memorised line;</li>
 *   <li>mechanisms on words of the question (the first or last item of a list, a word said twice): a held-out
 *       question is a list or phrasing never seen in training, so it needs the copying skill, not the line.</li>
 * </ul>
 * The answer is the word(s) alone ("cold.", "red red."): the benchmark's rule is the whole normalised answer, exactly.
 * Unseen arithmetic is left out on purpose: a model this size does not generalise it from a few examples.
 */
public final class TextInstructionSet {

    private static final String[][] OPPOSITES = {
        {"hot", "cold"}, {"big", "small"}, {"up", "down"}, {"fast", "slow"}, {"day", "night"}, {"open", "closed"},
        {"light", "dark"}, {"early", "late"}, {"full", "empty"}, {"old", "new"}, {"wet", "dry"}, {"loud", "quiet"}
    };
    private static final String[] DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
        "sunday"};
    private static final String[] CORNERS = {"circle", "0", "triangle", "3", "square", "4"};
    /** Share of each category's facts (or lists) held out. */
    private static final double HELDOUT_SHARE = 0.25;

    /** The training and held-out instructions of one world. */
    public record Split(List<SyntheticPrompt> train, List<SyntheticPrompt> heldout) {}

    /** One thing to know or do, asked in one or more phrasings (all with the same answer). */
    record Item(List<SyntheticPrompt> phrasings) {}

    private TextInstructionSet() {}

    /**
     * {@code trainCount} training instructions (a category uniformly, then one of its training questions; repeats
     * allowed, as epochs over a small set would repeat them) and up to {@code heldoutCount} held-out ones, taken
     * from the categories in turn. A held-out item with two phrasings keeps one of them in training.
     */
    public static Split split(int trainCount, int heldoutCount, long seed) {
        Random random = new Random(seed);
        List<List<SyntheticPrompt>> trainPools = new ArrayList<>();
        List<List<SyntheticPrompt>> heldoutPools = new ArrayList<>();
        for (List<Item> category : categories()) {
            List<Item> shuffled = new ArrayList<>(category);
            java.util.Collections.shuffle(shuffled, random);
            int held = (int) Math.round(shuffled.size() * HELDOUT_SHARE);
            List<SyntheticPrompt> train = new ArrayList<>();
            List<SyntheticPrompt> heldout = new ArrayList<>();
            for (int i = 0; i < shuffled.size(); i++) {
                List<SyntheticPrompt> phrasings = shuffled.get(i).phrasings();
                if (i < held) {
                    // One phrasing held out; the other (if any) stays in training so the fact can be learned.
                    int out = random.nextInt(phrasings.size());
                    for (int k = 0; k < phrasings.size(); k++) (k == out ? heldout : train).add(phrasings.get(k));
                } else {
                    train.addAll(phrasings);
                }
            }
            trainPools.add(train);
            heldoutPools.add(heldout);
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

    /** Every item, by category; ids are set when a question is drawn. */
    static List<List<Item>> categories() {
        List<List<Item>> all = new ArrayList<>();
        List<Item> opposites = new ArrayList<>();
        for (String[] pair : OPPOSITES) {
            for (int k = 0; k < 2; k++) {
                String word = pair[k];
                String opposite = pair[1 - k];
                opposites.add(item(opposite, "What is the opposite of " + word + "?",
                        "Give the opposite of the word " + word + "."));
            }
        }
        all.add(opposites);
        List<Item> days = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            String day = cap(DAYS[d]);
            days.add(item(DAYS[(d + 1) % 7], "Which day comes after " + day + "?", "What is the day after " + day + "?"));
            days.add(item(DAYS[(d + 6) % 7], "Which day comes before " + day + "?",
                    "What is the day before " + day + "?"));
        }
        all.add(days);
        List<String> words = new ArrayList<>();
        for (ShapeColor c : ShapeColor.values()) words.add(c.word());
        for (Shape s : Shape.values()) words.add(s.word());
        List<Item> facts = new ArrayList<>();
        for (int i = 0; i < CORNERS.length; i += 2) {
            facts.add(item(CORNERS[i + 1], "How many corners does a " + CORNERS[i] + " have?",
                    "Count the corners of a " + CORNERS[i] + "."));
        }
        for (ShapeColor c : ShapeColor.values()) {
            facts.add(item("color", "Is " + c.word() + " a color or a shape?",
                    "Tell me whether " + c.word() + " is a shape or a color."));
        }
        for (Shape s : Shape.values()) {
            facts.add(item("shape", "Is " + s.word() + " a color or a shape?",
                    "Tell me whether " + s.word() + " is a shape or a color."));
        }
        all.add(facts);
        List<Item> repeat = new ArrayList<>();
        for (String w : words) {
            repeat.add(item(w + " " + w, "Say the word " + w + " twice.", "Repeat " + w + " two times."));
        }
        all.add(repeat);
        List<Item> lists = new ArrayList<>();
        for (String a : words) {
            for (String b : words) {
                for (String c : words) {
                    if (a.equals(b) || b.equals(c) || a.equals(c)) continue;
                    String list = a + ", " + b + ", " + c;
                    lists.add(item(a, "What is the first item of the list " + list + "?"));
                    lists.add(item(c, "What is the last item of the list " + list + "?"));
                }
            }
        }
        all.add(lists);
        Set<String> seen = new HashSet<>();
        for (List<Item> category : all) {
            for (Item item : category) {
                for (SyntheticPrompt p : item.phrasings()) {
                    if (!seen.add(p.question())) throw new IllegalStateException("duplicate question " + p.question());
                }
            }
        }
        return all;
    }

    private static Item item(String answer, String... questions) {
        List<SyntheticPrompt> phrasings = new ArrayList<>();
        for (String q : questions) {
            phrasings.add(new SyntheticPrompt(null, null, q, answer + ".",
                    new PromptTruth(PromptTruth.Kind.TEXT, answer, List.of())));
        }
        return new Item(List.copyOf(phrasings));
    }

    private static SyntheticPrompt withId(SyntheticPrompt p, String id) {
        return new SyntheticPrompt(id, null, p.question(), p.goldAnswer(), p.truth());
    }

    private static String cap(String word) {
        return word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
    }
}
