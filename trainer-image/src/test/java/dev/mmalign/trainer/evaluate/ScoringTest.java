package dev.mmalign.trainer.evaluate;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Guards the benchmark scoring rules: POPE's parsing and metrics, circular evaluation, exact match (judge replies: the *ProtocolTest and *OfficialScoreTest classes). */
class ScoringTest {

    @Test
    void popeParsesLikeTheReferenceScript() {
        assertEquals("no", PopeScore.parse("No, there is no dog."));
        assertEquals("no", PopeScore.parse("There is not a dog in the image."));
        assertEquals("yes", PopeScore.parse("Yes. No other animals are visible."), "only the first sentence counts");
        assertEquals("yes", PopeScore.parse("A dog is sitting on the grass"));
        // The official split is on single spaces and the words are matched case-sensitively.
        assertEquals("yes", PopeScore.parse("NO, there is none"), "NO is not one of No/no/not");
        assertEquals("yes", PopeScore.parse("Not at all"), "Not is not one of No/no/not");
        assertEquals("yes", PopeScore.parse("No\nthere is none"), "No glued to a newline is not a word");
        assertEquals("no", PopeScore.parse("There is  no dog"), "a double space leaves an empty word, no still counts");
        assertEquals("yes", PopeScore.parse("No,there is none"), "commas are removed, not spaced: Nothere");
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
    void mmbenchPromptIsLlavas() {
        assertEquals("Q\nA. x\nB. y\nAnswer with the option's letter from the given choices directly.",
                CircularChoice.prompt(null, "Q", List.of("x", "y")));
        assertEquals("hint\nQ\nA. x\nB. y\nAnswer with the option's letter from the given choices directly.",
                CircularChoice.prompt("hint", "Q", List.of("x", "y")));
    }

    @Test
    void exactMatchNormalisesLikeSquad() {
        assertEquals(true, ExactMatch.exact("The Cold.", "cold"));
        assertEquals(false, ExactMatch.exact("It is cold", "cold"));
        assertEquals(true, ExactMatch.contains("It is cold.", "cold"));
        assertEquals(false, ExactMatch.contains("It is colder.", "cold"));
    }
}
