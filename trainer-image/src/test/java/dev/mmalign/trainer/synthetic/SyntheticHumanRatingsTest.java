package dev.mmalign.trainer.synthetic;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.trainer.data.CompletionRecord;
import dev.mmalign.trainer.data.PromptRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the synthetic people: seeded, a controlled share of completions, a controlled amount of disagreement. */
class SyntheticHumanRatingsTest {

    private final Map<String, PromptRecord> prompts = new LinkedHashMap<>();
    private final Map<String, List<CompletionRecord>> completions = new LinkedHashMap<>();

    SyntheticHumanRatingsTest() {
        String[] answers = {"yes", "no", "yes there is", "no it is not", "maybe"};
        for (int p = 0; p < 100; p++) {
            PromptTruth truth = new PromptTruth(PromptTruth.Kind.EXISTS, p % 2 == 0 ? "yes" : "no", List.of());
            prompts.put("p" + p, new PromptRecord("p" + p, "i.png", "Is there a red circle?", "yes", null,
                    truth.toJson()));
            List<CompletionRecord> group = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                group.add(new CompletionRecord("p" + p, "p" + p + "#" + k, answers[(p + k) % answers.length], "m",
                        1.0, 1L));
            }
            completions.put("p" + p, group);
        }
    }

    private Map<String, Integer> oracle(String completionId) {
        String promptId = completionId.substring(0, completionId.indexOf('#'));
        CompletionRecord c = completions.get(promptId).stream()
                .filter(x -> x.completionId().equals(completionId)).findFirst().orElseThrow();
        PromptRecord p = prompts.get(promptId);
        Map<String, Integer> out = new LinkedHashMap<>();
        new OracleRater().rate(PromptTruth.fromJson(p.truth()), p.goldAnswer(), c.text())
                .forEach((a, v) -> out.put(a.wireName(), v));
        return out;
    }

    @Test
    void withoutNoiseThePeopleAgreeWithTheOracleOnTheChosenShare() {
        var rows = new SyntheticHumanRatings(0.25, 0.0, 7).rate(prompts, completions);
        // 400 completions, each kept with probability 0.25: far outside 60-140 would mean the share is not applied.
        assertTrue(rows.size() > 60 && rows.size() < 140, "rows: " + rows.size());
        for (var row : rows) assertEquals(oracle(row.completionId()), row.ratings(), row.completionId());
    }

    @Test
    void noiseMovesAboutThatShareOfRatingsOneStepAndStaysOnTheScale() {
        var rows = new SyntheticHumanRatings(1.0, 0.2, 7).rate(prompts, completions);
        assertEquals(400, rows.size());
        int moved = 0;
        int total = 0;
        for (var row : rows) {
            Map<String, Integer> truth = oracle(row.completionId());
            for (HelpSteerAttribute a : HelpSteerAttribute.values()) {
                int v = row.ratings().get(a.wireName());
                assertTrue(v >= 0 && v <= 4);
                int diff = Math.abs(v - truth.get(a.wireName()));
                assertTrue(diff <= 1, "at most one step off");
                if (diff == 1) moved++;
                total++;
            }
        }
        // 2000 ratings at p = 0.2: expected 400, standard deviation about 18; 300-500 is over 5 sigma either way.
        assertTrue(moved > 300 && moved < 500, "moved " + moved + " of " + total);
    }

    @Test
    void theSameSeedGivesTheSameRatingsAndAnotherSeedOthers() {
        var a = new SyntheticHumanRatings(0.5, 0.3, 7).rate(prompts, completions);
        var b = new SyntheticHumanRatings(0.5, 0.3, 7).rate(prompts, completions);
        var c = new SyntheticHumanRatings(0.5, 0.3, 11).rate(prompts, completions);
        assertEquals(a, b);
        assertNotEquals(a, c);
    }
}
