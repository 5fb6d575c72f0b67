package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.annotate.MalformedAnswerException;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The judge prompts of the open-ended benchmarks, after their public graders, and the parsing of the judges' scores:
 * MT-Bench's single-answer grading ("Rating: [[5]]", 1-10, with a reference answer for math, reasoning and coding)
 * and AlpacaEval's pairwise preference ([[A]] / [[B]]). LLaVA-Bench and MM-Vet have their own classes
 * ({@link LlavaBenchReview}, {@link MmVetGrader}) reading their prompts from the benchmarks' files.
 */
public final class JudgePrompts {

    public static final String SYSTEM = "You are a helpful and precise assistant for checking the quality of answers.";

    private static final Pattern RATING = Pattern.compile("\\[\\[(\\d+(?:\\.\\d+)?)]]");
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
