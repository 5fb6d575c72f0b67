package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.DpoSetSpec;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.RejectedSelection;
import dev.mmalign.api.dataset.SteerLMTemplate;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.SftExampleRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards DESIGN.md §1's pairing rules and the SFT set shapes, including the exact SteerLM templates. */
class TrainingSetBuildersTest {

    /** A prompt whose completion j has helpfulness = correctness = coherence = scores[j]. */
    static AnnotatedPrompt prompt(String id, int... scores) {
        PromptRecord p = new PromptRecord(id, id + ".png", "Q " + id, "gold " + id, null, null);
        List<ScoredCompletion> cs = new ArrayList<>();
        for (int j = 0; j < scores.length; j++) {
            Map<String, Integer> r = new LinkedHashMap<>();
            r.put("helpfulness", scores[j]);
            r.put("correctness", scores[j]);
            r.put("coherence", scores[j]);
            r.put("complexity", 1);
            r.put("verbosity", 2);
            cs.add(new ScoredCompletion(new CompletionRecord(id, id + "#" + j, "text " + j, "m", 0.7, 1L), r));
        }
        return new AnnotatedPrompt(p, cs);
    }

    static DpoSetSpec dpo(RejectedSelection selection, int margin) {
        DpoSetSpec s = new DpoSetSpec();
        s.rejected = selection;
        s.minMargin = margin;
        return s;
    }

    @Test
    void worstStrategyPairsBestWithWorstWhenTheGapIsEnough() {
        DpoPairRecord pair = new DpoPairBuilder(dpo(RejectedSelection.WORST, 2)).pairFor(prompt("a", 3, 1, 4, 2));
        assertEquals("text 2", pair.chosen());
        assertEquals("text 1", pair.rejected());
        assertEquals(12.0, pair.chosenScore());
        assertEquals(3.0, pair.rejectedScore());
        assertEquals(List.of("a.png"), pair.images());
    }

    @Test
    void noPairWhenNoCompletionIsMinMarginBelowTheBest() {
        // Scores summed over 3 attributes: 12 vs 11 is a gap of 3 < minMargin 4.
        DpoPairBuilder builder = new DpoPairBuilder(dpo(RejectedSelection.WORST, 4));
        assertNull(builder.pairFor(prompt("a", 4, 4, 4, 4)));
        DpoPairBuilder.Result r = builder.build(List.of(prompt("a", 4, 4), prompt("b", 4, 0)));
        assertEquals(1, r.pairs().size());
        assertEquals(1, r.promptsWithoutPair());
    }

    @Test
    void randomBelowMarginPicksOnlyEligibleCompletionsDeterministically() {
        DpoPairBuilder builder = new DpoPairBuilder(dpo(RejectedSelection.RANDOM_BELOW_MARGIN, 6));
        Set<String> rejected = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            // best 12; eligible (<= 6): texts 1 and 3; text 2 (9) is too close.
            DpoPairRecord p = builder.pairFor(prompt("p" + i, 4, 2, 3, 1));
            rejected.add(p.rejected());
            assertEquals(p, builder.pairFor(prompt("p" + i, 4, 2, 3, 1)), "same seed, same choice");
        }
        assertEquals(Set.of("text 1", "text 3"), rejected);
    }

    @Test
    void scoreAttributesAreConfigurable() {
        DpoSetSpec spec = dpo(RejectedSelection.WORST, 1);
        spec.scoreAttributes = List.of(HelpSteerAttribute.VERBOSITY);
        assertNull(new DpoPairBuilder(spec).pairFor(prompt("a", 4, 0)), "verbosity is 2 everywhere: no gap");
    }

    @Test
    void missingRatingOfAScoreAttributeIsAnError() {
        AnnotatedPrompt p = prompt("a", 4, 0);
        p.completions().get(0).ratings().remove("correctness");
        assertThrows(IllegalArgumentException.class,
                () -> new DpoPairBuilder(dpo(RejectedSelection.WORST, 2)).pairFor(p));
    }

    @Test
    void rejectionSamplingTakesTheBestWithTiesToTheFirst() {
        List<SftExampleRecord> out = new RejectionSamplingBuilder(new DpoSetSpec().scoreAttributes)
                .build(List.of(prompt("a", 1, 3, 3)));
        assertEquals("text 1", out.get(0).completion());
        assertEquals("Q a", out.get(0).prompt());
    }

    @Test
    void steerLMUsesThePapersTemplateExactly() {
        Map<String, Integer> v = Map.of("helpfulness", 4, "correctness", 3, "coherence", 4, "complexity", 1,
                "verbosity", 2);
        assertEquals("Q\nPlease answer the question such that your response is in the following attributes in "
                        + "5-point Likert scale:\nHelpfulness:4,Correctness:3,Coherence:4,Complexity:1,Verbosity:2",
                SteerLMCondition.apply(SteerLMTemplate.NATURAL_LANGUAGE, "Q", List.of(HelpSteerAttribute.values()), v));
        assertEquals("Q<extra_id_2>helpfulness:4,correctness:3,coherence:4,complexity:1,verbosity:2",
                SteerLMCondition.apply(SteerLMTemplate.NEMO, "Q", List.of(HelpSteerAttribute.values()), v));
        assertTrue(SteerLMCondition.best(SteerLMTemplate.NEMO, "Q", List.of(HelpSteerAttribute.HELPFULNESS))
                .endsWith("helpfulness:4"));
    }

    @Test
    void steerLMKeepsEveryCompletionConditionedOnItsOwnRatings() {
        List<SftExampleRecord> out = new SteerLMBuilder(SteerLMTemplate.NEMO, List.of(HelpSteerAttribute.HELPFULNESS))
                .build(List.of(prompt("a", 4, 0)));
        assertEquals(2, out.size());
        assertEquals("Q a<extra_id_2>helpfulness:0", out.get(1).prompt());
        assertEquals("text 1", out.get(1).completion());
    }

    @Test
    void goldSftSkipsPromptsWithoutGold() {
        List<SftExampleRecord> out = GoldSftBuilder.build(List.of(
                new PromptRecord("a", "a.png", "Q", "gold", null, null),
                new PromptRecord("b", null, "Q", null, null, null)));
        assertEquals(1, out.size());
        assertEquals("gold", out.get(0).completion());
    }

    @Test
    void dataFractionsAreNestedAndDeterministic() {
        List<String> ids = IntStream.range(0, 101).mapToObj(i -> "id" + i).toList();
        List<String> q = FractionSubset.select(ids, 0.25, 7, s -> s);
        List<String> h = FractionSubset.select(ids, 0.5, 7, s -> s);
        List<String> t = FractionSubset.select(ids, 0.75, 7, s -> s);
        assertEquals(26, q.size());
        assertEquals(51, h.size());
        assertTrue(h.containsAll(q) && t.containsAll(h));
        assertEquals(ids, FractionSubset.select(ids, 1.0, 7, s -> s));
        List<String> shuffled = new ArrayList<>(ids);
        java.util.Collections.reverse(shuffled);
        assertEquals(new HashSet<>(q), new HashSet<>(FractionSubset.select(shuffled, 0.25, 7, s -> s)),
                "the subset does not depend on file order");
        assertThrows(IllegalArgumentException.class, () -> FractionSubset.select(ids, 0, 7, s -> s));
    }
}
