package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.annotate.MalformedAnswerException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The judge prompts of the open-ended benchmarks, after their public graders, and the parsing of the judges' scores:
 * LLaVA-Bench's pairwise review (a first line "s1 s2" for the reference and the model) and MM-Vet's correctness
 * 0.0-1.0. MT-Bench and AlpacaEval read their judge prompts from their published files: {@link MtBench},
 * {@link AlpacaEval}.
 */
public final class JudgePrompts {

    public static final String SYSTEM = "You are a helpful and precise assistant for checking the quality of answers.";

    private static final Pattern TWO_SCORES = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)[\\s,]+(\\d+(?:\\.\\d+)?)");
    private static final Pattern NUMBER = Pattern.compile("(\\d+(?:\\.\\d+)?)");

    private JudgePrompts() {}

    public static String llavaBench(String question, String reference, String answer) {
        return "[Question]\n" + question + "\n\n[Assistant 1]\n" + reference + "\n[End of Assistant 1]\n\n"
                + "[Assistant 2]\n" + answer + "\n[End of Assistant 2]\n\n"
                + "We would like to request your feedback on the performance of two AI assistants in response to the "
                + "user question displayed above, about the image shown. Please rate the helpfulness, relevance, "
                + "accuracy and level of detail of their responses. Each assistant receives an overall score on a "
                + "scale of 1 to 10, where a higher score indicates better overall performance.\nPlease first output "
                + "a single line containing only two values indicating the scores for Assistant 1 and 2, "
                + "respectively, separated by a space. In the subsequent line, please provide a comprehensive "
                + "explanation of your evaluation, avoiding any potential bias and ensuring that the order in which "
                + "the responses were presented does not affect your judgment.";
    }

    /** (reference score, model score). */
    public static double[] parseLlavaBench(String judgement) throws MalformedAnswerException {
        Matcher m = TWO_SCORES.matcher(judgement == null ? "" : judgement);
        if (!m.find()) throw new MalformedAnswerException("first line is not two scores");
        double a = Double.parseDouble(m.group(1));
        double b = Double.parseDouble(m.group(2));
        if (a < 0 || a > 10 || b < 0 || b > 10) throw new MalformedAnswerException("scores outside 1-10");
        return new double[] {a, b};
    }

    public static String mmVet(String question, String groundTruth, String prediction) {
        return "Compare the ground truth and prediction from AI models, to give a correctness score for the "
                + "prediction. <AND> in the ground truth means it is totally right only when all elements in the "
                + "ground truth are present in the prediction, and <OR> means it is totally right when any one "
                + "element is present. The correctness score is 0.0 (totally wrong), 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, "
                + "0.7, 0.8, 0.9, or 1.0 (totally right). Just complete the last space of the correctness score.\n\n"
                + "Question | Ground truth | Prediction | Correctness\n--- | --- | --- | ---\n"
                + question.replace('\n', ' ') + " | " + groundTruth.replace('\n', ' ') + " | "
                + prediction.replace('\n', ' ') + " | ";
    }

    public static double parseMmVet(String judgement) throws MalformedAnswerException {
        Matcher m = NUMBER.matcher(judgement == null ? "" : judgement);
        if (!m.find()) throw new MalformedAnswerException("no correctness score in the judgement");
        double v = Double.parseDouble(m.group(1));
        if (v < 0 || v > 1) throw new MalformedAnswerException("correctness " + v + " is outside 0.0-1.0");
        return v;
    }
}
