package dev.mmalign.trainer.evaluate;

import java.util.List;

/**
 * One evaluated question in the per-sample outputs file: the model's answers (one per turn or per rotation), what was
 * parsed from them, and the judge's verdict where there is one. {@code problem} says why a sample has no score (a
 * judge answer that stayed malformed); such samples are left out of the means and counted.
 */
public record SampleOutput(String id, List<String> answers, String prediction, Boolean correct, Boolean lenientCorrect,
                           Boolean firstPassCorrect, Double score, Double referenceScore, List<Double> turnScores,
                           String judgement, String problem) {

    public static SampleOutput answered(String id, List<String> answers, String prediction, boolean correct) {
        return new SampleOutput(id, answers, prediction, correct, null, null, null, null, null, null, null);
    }
}
