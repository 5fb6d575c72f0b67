package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.judge.JudgeUnavailableException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MM-Vet's grading as its official evaluator does it (yuweihao/MM-Vet mm-vet_evaluator.py, function {@code runs}):
 * <ul>
 * <li>the grader prompt — instructions and the few-shot table — is read from the benchmark's own files, not kept
 * here: {@code mm-vet_grader_prompt.txt} beside mm-vet.json (the {@code prompt} string saved as a file) or, as users
 * download it, {@code mm-vet_evaluator.py} itself, whose {@code prompt = """..."""} is taken verbatim;</li>
 * <li>the judge gets one user message (no system message): the prompt, a newline, then
 * {@code question | ground truth | prediction | } with {@code <AND>}/{@code <OR>} in the ground truth spaced out;</li>
 * <li>the score is the reply's text before its first space, stripped, read by Python's {@code float} and kept when
 * within 0.0-1.0;</li>
 * <li>otherwise the judge is asked again with "Predict the correctness of the answer (digit): " appended, up to five
 * replies in all; when none parses the sample scores 0.0 (the official loop also sends a sixth request whose reply
 * it never reads; it is not sent here, the score is the same).</li>
 * </ul>
 * Every request carries the official max_tokens=3 and the official temperature of its attempt
 * ({@link OfficialJudgeParameters#mmVet}: 0.0, 0.0, 0.5, 1.0, 1.5).
 */
final class MmVetGrader {

    static final String PROMPT_FILE = "mm-vet_grader_prompt.txt";
    /** The item tag carrying the grader prompt from the reader to the run. */
    static final String PROMPT_TAG = "mmVet.graderPrompt";
    static final String EVALUATOR_FILE = "mm-vet_evaluator.py";
    static final String RETRY_SUFFIX = "\nPredict the correctness of the answer (digit): ";
    static final int REPLIES = 5;

    /** A score and the judge's replies that led to it; {@code problem} says why it is 0 when no reply parsed. */
    record Grade(double score, List<String> replies, String problem) {}

    private MmVetGrader() {}

    /** The grader prompt from the files beside {@code questions}; a clear error naming them when neither is there. */
    static String loadPrompt(Path questions) {
        Path promptFile = questions.resolveSibling(PROMPT_FILE);
        Path evaluator = questions.resolveSibling(EVALUATOR_FILE);
        if (Files.isRegularFile(promptFile)) {
            return BenchmarkFiles.read(promptFile, BenchmarkFiles.MAX_TEXT_BYTES, "a grader prompt");
        }
        if (Files.isRegularFile(evaluator)) {
            String source = BenchmarkFiles.read(evaluator, BenchmarkFiles.MAX_TEXT_BYTES, "an evaluator source");
            String start = "prompt = \"\"\"";
            int a = source.indexOf(start);
            int b = a < 0 ? -1 : source.indexOf("\"\"\"", a + start.length());
            if (b < 0) {
                throw new InvalidInputException(evaluator, "no prompt = \"\"\"...\"\"\" in the MM-Vet evaluator");
            }
            String prompt = source.substring(a + start.length(), b);
            // Python would read escapes in the literal; the official prompt has none, and a copy with some is
            // refused rather than sent with its backslashes.
            if (prompt.contains("\\")) {
                throw new InvalidInputException(evaluator, "the prompt literal holds a backslash escape; save the "
                        + "prompt as " + PROMPT_FILE + " instead");
            }
            return prompt;
        }
        throw new InvalidInputException(promptFile, "MM-Vet's grader prompt is missing: put " + PROMPT_FILE
                + " (the prompt string of the official mm-vet_evaluator.py) or the official " + EVALUATOR_FILE
                + " beside " + questions.getFileName());
    }

    /** The user message of the first request. */
    static String question(String prompt, String question, String groundTruth, String prediction) {
        return prompt + "\n" + String.join(" | ", question,
                groundTruth.replace("<AND>", " <AND> ").replace("<OR>", " <OR> "), prediction, "");
    }

    /** The score in a reply, or null where the official parser would not accept it. */
    static Double parse(String reply) {
        if (reply == null) return null;
        int space = reply.indexOf(' ');
        Double v = PythonFloat.parse(space < 0 ? reply : reply.substring(0, space));
        return v == null || v > 1.0 || v < 0.0 ? null : v;
    }

    static Grade grade(String prompt, String question, String groundTruth, String prediction, JudgeReplies judge)
            throws JudgeUnavailableException, InterruptedException, BenchmarkJudge.BudgetSpent {
        String first = question(prompt, question, groundTruth, prediction);
        List<String> replies = new ArrayList<>();
        for (int attempt = 0; attempt < REPLIES; attempt++) {
            String reply = judge.reply(null, attempt == 0 ? first : first + RETRY_SUFFIX,
                    OfficialJudgeParameters.mmVet(attempt));
            replies.add(reply);
            Double score = parse(reply);
            if (score != null) return new Grade(score, replies, null);
        }
        return new Grade(0.0, replies, "no parsable correctness in " + REPLIES + " replies; scored 0.0 as the "
                + "official evaluator does");
    }
}
