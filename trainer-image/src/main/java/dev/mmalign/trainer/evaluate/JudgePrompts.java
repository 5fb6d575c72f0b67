package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.annotate.MalformedAnswerException;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The judge prompts of the open-ended benchmarks, after their public graders, and the parsing of the judges' scores:
 * MT-Bench's single-answer grading ("Rating: [[5]]", 1-10, with a reference answer for math, reasoning and coding),
 * LLaVA-Bench's pairwise review (a first line "s1 s2" for the reference and the model), MM-Vet's correctness 0.0-1.0,
 * and AlpacaEval's pairwise preference ([[A]] / [[B]]).
 */
public final class JudgePrompts {

    public static final String SYSTEM = "You are a helpful and precise assistant for checking the quality of answers.";

    private static final Pattern RATING = Pattern.compile("\\[\\[(\\d+(?:\\.\\d+)?)]]");
    private static final Pattern TWO_SCORES = Pattern.compile("^\\s*(\\d+(?:\\.\\d+)?)[\\s,]+(\\d+(?:\\.\\d+)?)");
    private static final Pattern NUMBER = Pattern.compile("(\\d+(?:\\.\\d+)?)");
    private static final Pattern CHOICE = Pattern.compile("\\[\\[([AB])]]");

    private JudgePrompts() {}

    public static String mtBench(List<String> questions, List<String> answers, int turn, String reference) {
        StringBuilder p = new StringBuilder("Please act as an impartial judge and evaluate the quality of the response "
                + "provided by an AI assistant to the user question displayed below. Consider helpfulness, relevance, "
                + "accuracy, depth, creativity and level of detail. ");
        if (reference != null) {
            p.append("You are given a reference answer; compare the assistant's answer with it and identify mistakes. ");
        }
        p.append("Begin your evaluation with a short explanation. Be as objective as possible. After the explanation "
                + "you must rate the response on a scale of 1 to 10 in exactly this format: \"Rating: [[5]]\".\n\n");
        for (int t = 0; t < turn; t++) {
            p.append("[User]\n").append(questions.get(t)).append("\n[Assistant]\n").append(answers.get(t)).append("\n\n");
        }
        p.append("[Question]\n").append(questions.get(turn)).append("\n\n");
        if (reference != null) {
            p.append("[The Start of Reference Answer]\n").append(reference).append("\n[The End of Reference Answer]\n\n");
        }
        p.append("[The Start of Assistant's Answer]\n").append(answers.get(turn))
                .append("\n[The End of Assistant's Answer]");
        return p.toString();
    }

    public static double parseMtBench(String judgement) throws MalformedAnswerException {
        Matcher m = RATING.matcher(judgement == null ? "" : judgement);
        if (!m.find()) throw new MalformedAnswerException("no \"[[rating]]\" in the judgement");
        double v = Double.parseDouble(m.group(1));
        if (v < 1 || v > 10) throw new MalformedAnswerException("rating " + v + " is outside 1-10");
        return v;
    }

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

    public static String alpacaEval(String instruction, String outputA, String outputB) {
        return "Select the output, (a) or (b), that better follows the instruction: more helpful, accurate and "
                + "harmless. Judge content, not length or order.\n\n# Instruction:\n" + instruction
                + "\n\n# Output (a):\n" + outputA + "\n\n# Output (b):\n" + outputB
                + "\n\nAnswer with exactly \"[[A]]\" if output (a) is better or \"[[B]]\" if output (b) is better.";
    }

    /** 'A' or 'B'. */
    public static char parseAlpacaEval(String judgement) throws MalformedAnswerException {
        Matcher m = CHOICE.matcher(judgement == null ? "" : judgement);
        if (!m.find()) throw new MalformedAnswerException("no [[A]] or [[B]] in the judgement");
        return m.group(1).charAt(0);
    }
}
