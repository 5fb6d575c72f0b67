package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.annotate.MalformedAnswerException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Guards the benchmark scoring rules: POPE's parsing and metrics, circular evaluation, exact match, judge scores. */
class ScoringTest {

    @Test
    void popeParsesLikeTheReferenceScript() {
        assertEquals("no", PopeScore.parse("No, there is no dog."));
        assertEquals("no", PopeScore.parse("There is not a dog in the image."));
        assertEquals("yes", PopeScore.parse("Yes. No other animals are visible."), "only the first sentence counts");
        assertEquals("yes", PopeScore.parse("A dog is sitting on the grass"));
    }

    @Test
    void popeMetricsFromAKnownConfusionMatrix() {
        // tp 3, fp 1, tn 2, fn 2
        List<String[]> pairs = List.of(
                new String[] {"yes", "yes"}, new String[] {"yes", "yes"}, new String[] {"yes", "yes"},
                new String[] {"no", "yes"}, new String[] {"no", "no"}, new String[] {"no", "no"},
                new String[] {"yes", "no"}, new String[] {"yes", "no"});
        Map<String, Double> m = PopeScore.metrics(pairs);
        assertEquals(5.0 / 8, m.get("accuracy"), 1e-12);
        assertEquals(3.0 / 4, m.get("precision"), 1e-12);
        assertEquals(3.0 / 5, m.get("recall"), 1e-12);
        assertEquals(2 * 0.75 * 0.6 / 1.35, m.get("f1"), 1e-12);
        assertEquals(4.0 / 8, m.get("yesRatio"), 1e-12);
    }

    @Test
    void circularRotationKeepsTrackOfTheRightLetter() {
        List<String> options = List.of("red", "green", "blue", "yellow");
        assertEquals(List.of("green", "blue", "yellow", "red"), CircularChoice.rotate(options, 1));
        // "blue" is C originally; after rotation 1 it is shown as B, after rotation 3 as D.
        assertEquals('B', CircularChoice.correctLetter('C', 1, 4));
        assertEquals('D', CircularChoice.correctLetter('C', 3, 4));
        assertEquals('C', CircularChoice.extract("C", options));
        assertEquals('B', CircularChoice.extract("The answer is (B).", options));
        assertEquals('D', CircularChoice.extract("yellow, clearly", options));
        assertNull(CircularChoice.extract("I cannot tell", options));
        assertEquals("Q\nA. x\nB. y\nAnswer with the option's letter from the given choices directly.",
                CircularChoice.prompt(null, "Q", List.of("x", "y")));
    }

    @Test
    void exactMatchNormalisesLikeSquad() {
        assertEquals(true, ExactMatch.exact("The Cold.", "cold"));
        assertEquals(false, ExactMatch.exact("It is cold", "cold"));
        assertEquals(true, ExactMatch.contains("It is cold.", "cold"));
        assertEquals(false, ExactMatch.contains("It is colder.", "cold"));
    }

    @Test
    void judgeScoresAreParsedAndRangeChecked() throws Exception {
        assertArrayEquals(new double[] {8, 6}, JudgePrompts.parseLlavaBench("8 6\nAssistant 1 is better"));
        assertThrows(MalformedAnswerException.class, () -> JudgePrompts.parseLlavaBench("Assistant 1: 8"));
        assertEquals(0.4, JudgePrompts.parseMmVet("0.4"));
        assertThrows(MalformedAnswerException.class, () -> JudgePrompts.parseMmVet("4"));
    }
}
