package dev.mmalign.trainer.evaluate;

import java.util.List;

/**
 * One evaluated question in the per-sample outputs file: the model's answers (one per turn or per rotation), what was
 * parsed from them, and the judge's verdict where there is one. {@code problem} says why a sample has no score (a
 * judge answer that stayed malformed); such samples are left out of the means and counted. Each benchmark fills only
 * its own fields, so samples are made with {@link #of} and the builder's named setters; the rest stay null and are
 * left out of the file. {@code truncatedTurns} counts turns answered with fewer new tokens than asked because the
 * prompt filled the model's context, {@code overlongTurns} turns whose prompt alone filled it (see {@link MtBenchRun}).
 */
public record SampleOutput(String id, List<String> answers, String prediction, Boolean correct, Boolean lenientCorrect,
                           Boolean firstPassCorrect, Double score, Double referenceScore, List<Double> turnScores,
                           String judgement, String problem, Integer truncatedTurns, Integer overlongTurns) {

    /** A sample of question {@code id} with the model's {@code answers}; the builder adds what was scored. */
    public static Builder of(String id, List<String> answers) {
        return new Builder(id, answers);
    }

    public static SampleOutput answered(String id, List<String> answers, String prediction, boolean correct) {
        return of(id, answers).prediction(prediction).correct(correct).build();
    }

    public static final class Builder {
        private final String id;
        private final List<String> answers;
        private String prediction;
        private Boolean correct;
        private Boolean lenientCorrect;
        private Boolean firstPassCorrect;
        private Double score;
        private Double referenceScore;
        private List<Double> turnScores;
        private String judgement;
        private String problem;
        private Integer truncatedTurns;
        private Integer overlongTurns;

        private Builder(String id, List<String> answers) {
            this.id = id;
            this.answers = answers;
        }

        public Builder prediction(String value) {
            prediction = value;
            return this;
        }

        public Builder correct(Boolean value) {
            correct = value;
            return this;
        }

        public Builder lenientCorrect(Boolean value) {
            lenientCorrect = value;
            return this;
        }

        public Builder firstPassCorrect(Boolean value) {
            firstPassCorrect = value;
            return this;
        }

        public Builder score(Double value) {
            score = value;
            return this;
        }

        public Builder referenceScore(Double value) {
            referenceScore = value;
            return this;
        }

        public Builder turnScores(List<Double> value) {
            turnScores = value;
            return this;
        }

        /** The judge's answer text and, when it stayed unusable, why the sample has no score. */
        public Builder judged(String judgementText, String problemText) {
            judgement = judgementText;
            problem = problemText;
            return this;
        }

        /** Turns whose answer budget the context cut, and turns not generated because the prompt filled it. */
        public Builder context(int truncated, int overlong) {
            truncatedTurns = truncated;
            overlongTurns = overlong;
            return this;
        }

        public SampleOutput build() {
            return new SampleOutput(id, answers, prediction, correct, lenientCorrect, firstPassCorrect, score,
                    referenceScore, turnScores, judgement, problem, truncatedTurns, overlongTurns);
        }
    }
}
