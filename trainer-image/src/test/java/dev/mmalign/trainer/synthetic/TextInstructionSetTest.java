package dev.mmalign.trainer.synthetic;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.evaluate.ExactMatch;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The text benchmark measures learned skills and facts, not memorised lines, and its answers are scorable by rule. */
class TextInstructionSetTest {

    @Test
    void noHeldOutQuestionIsWordForWordInTraining() {
        TextInstructionSet.Split split = TextInstructionSet.split(3000, 60, 7);
        Set<String> trained = new HashSet<>();
        split.train().forEach(p -> trained.add(p.question()));
        assertEquals(60, split.heldout().size());
        for (SyntheticPrompt p : split.heldout()) {
            assertFalse(trained.contains(p.question()), p.question());
        }
        assertEquals(60, split.heldout().stream().map(SyntheticPrompt::question).distinct().count());
    }

    @Test
    void heldOutQuestionsComeFromEveryCategory() {
        TextInstructionSet.Split split = TextInstructionSet.split(100, 60, 11);
        for (List<TextInstructionSet.Item> category : TextInstructionSet.categories()) {
            Set<String> questions = new HashSet<>();
            category.forEach(item -> item.phrasings().forEach(p -> questions.add(p.question())));
            assertTrue(split.heldout().stream().anyMatch(p -> questions.contains(p.question())),
                    "a held-out question of the category of " + category.get(0).phrasings().get(0).question());
        }
    }

    @Test
    void goldAnswersScoreByTheBenchmarkRuleAndTheOracle() {
        OracleRater oracle = new OracleRater();
        for (List<TextInstructionSet.Item> category : TextInstructionSet.categories()) {
            for (SyntheticPrompt p : category.stream().flatMap(i -> i.phrasings().stream()).toList()) {
                String answer = p.truth().answer();
                assertFalse(ExactMatch.normalize(answer).isEmpty(), p.question());
                // The benchmark's rule is the whole gold answer: it must be the answer alone.
                assertTrue(ExactMatch.exact(p.goldAnswer(), answer), p.question() + " / " + p.goldAnswer());
                assertEquals(4, oracle.rate(p.truth(), p.goldAnswer(), p.goldAnswer())
                        .get(HelpSteerAttribute.CORRECTNESS), p.goldAnswer());
            }
        }
    }

    /**
     * Guards learnability: a held-out fact (opposite, day, corners, colour or shape, repeat) is asked in training in
     * its other phrasing, with the same answer, so a model can learn it; a held-out list question has a list whose
     * words are all in training lists.
     */
    @Test
    void everyHeldOutFactIsTaughtInItsOtherPhrasing() {
        TextInstructionSet.Split split = TextInstructionSet.split(3000, 60, 13);
        Set<String> trained = new HashSet<>();
        split.train().forEach(p -> trained.add(p.question() + " -> " + p.goldAnswer()));
        Set<String> heldout = new HashSet<>();
        split.heldout().forEach(p -> heldout.add(p.question()));
        int facts = 0;
        for (List<TextInstructionSet.Item> category : TextInstructionSet.categories()) {
            for (TextInstructionSet.Item item : category) {
                List<SyntheticPrompt> ps = item.phrasings();
                for (SyntheticPrompt p : ps) {
                    if (!heldout.contains(p.question()) || ps.size() < 2) continue;
                    facts++;
                    assertTrue(ps.stream().filter(o -> o != p).anyMatch(o -> trained.contains(o.question() + " -> "
                            + o.goldAnswer())), "taught in another phrasing: " + p.question());
                }
            }
        }
        assertTrue(facts >= 10, "held-out facts: " + facts);
    }

    @Test
    void sameSeedSameSplit() {
        assertEquals(TextInstructionSet.split(50, 20, 3), TextInstructionSet.split(50, 20, 3));
    }
}
