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
        List<List<SyntheticPrompt>> categories = TextInstructionSet.categories();
        for (List<SyntheticPrompt> category : categories) {
            Set<String> questions = new HashSet<>();
            category.forEach(p -> questions.add(p.question()));
            assertTrue(split.heldout().stream().anyMatch(p -> questions.contains(p.question())),
                    "a held-out question of the category of " + category.get(0).question());
        }
    }

    @Test
    void goldAnswersScoreByTheBenchmarkRuleAndTheOracle() {
        OracleRater oracle = new OracleRater();
        for (List<SyntheticPrompt> category : TextInstructionSet.categories()) {
            for (SyntheticPrompt p : category) {
                String answer = p.truth().answer();
                assertFalse(ExactMatch.normalize(answer).isEmpty(), p.question());
                assertTrue(ExactMatch.contains(p.goldAnswer(), answer), p.question() + " / " + p.goldAnswer());
                assertEquals(4, oracle.rate(p.truth(), p.goldAnswer(), p.goldAnswer())
                        .get(HelpSteerAttribute.CORRECTNESS), p.goldAnswer());
            }
        }
    }

    @Test
    void sameSeedSameSplit() {
        assertEquals(TextInstructionSet.split(50, 20, 3), TextInstructionSet.split(50, 20, 3));
    }
}
