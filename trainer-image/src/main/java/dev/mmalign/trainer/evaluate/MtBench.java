package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlReader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MT-Bench as FastChat's llm_judge runs it (lm-sys/FastChat, fastchat/llm_judge/): single-answer grading.
 * <ul>
 * <li>Files as published, in one folder: {@code question.jsonl}, {@code judge_prompts.jsonl} (FastChat's
 * {@code data/judge_prompts.jsonl}, copied beside the questions) and {@code reference_answer/gpt-4.jsonl}.</li>
 * <li>Answers: the temperature of the question's category ({@code common.py temperature_config}, 0.7 for others;
 * 0 decodes greedily as {@code gen_model_answer.py} does below 1e-4).</li>
 * <li>Judging ({@code gen_judgment.py make_judge_single}): turn 1 with {@code single-v1}, turn 2 with
 * {@code single-v1-multi-turn} (only for questions of exactly two turns); categories in {@code NEED_REF_CATS} (math,
 * reasoning, coding, arena-hard-200) with the {@code single-math-v1*} prompts and GPT-4's reference answers. The
 * system message and the user message are the prompt's {@code system_prompt} and its {@code prompt_template} filled by
 * Python's {@code str.format} ({@code common.py run_judge_single}).</li>
 * <li>Rating: the first {@code [[x]]}, else the first {@code [x]}; none is -1 ({@code run_judge_single}). There is no
 * retry on an unparsable judgement.</li>
 * <li>Means ({@code show_result.py display_result_single}): turns rated -1 dropped, then the mean of turn 1, of turn 2
 * and of all rated turns together; per category the mean of its rated turns.</li>
 * </ul>
 */
public final class MtBench {

    /** common.py NEED_REF_CATS. */
    public static final List<String> NEED_REF_CATS = List.of("math", "reasoning", "coding", "arena-hard-200");

    /** common.py temperature_config; other categories get 0.7 (gen_model_answer.py). */
    public static final Map<String, Double> TEMPERATURE = Map.of("writing", 0.7, "roleplay", 0.7, "extraction", 0.0,
            "math", 0.0, "coding", 0.0, "reasoning", 0.0, "stem", 0.1, "humanities", 0.1, "arena-hard-200", 0.0);

    public static final double DEFAULT_TEMPERATURE = 0.7;

    /** FastChat's judge prompt file, expected beside question.jsonl. */
    public static final String JUDGE_PROMPTS_FILE = "judge_prompts.jsonl";

    /** FastChat's reference answers (by GPT-4, the default judge), relative to question.jsonl's folder. */
    public static final String REFERENCE_FILE = "reference_answer/gpt-4.jsonl";

    /** The rating of an unparsable judgement (common.py run_judge_single); such turns are left out of the means. */
    public static final double UNRATED = -1;

    private static final Pattern ONE_SCORE = Pattern.compile("\\[\\[(\\d+\\.?\\d*)\\]\\]");
    private static final Pattern ONE_SCORE_BACKUP = Pattern.compile("\\[(\\d+\\.?\\d*)\\]");

    /** One entry of judge_prompts.jsonl. */
    public record JudgePrompt(String name, String system, String template) {}

    /** The four single-grading prompts. */
    public record JudgePrompts(JudgePrompt single, JudgePrompt math, JudgePrompt multiTurn, JudgePrompt mathMultiTurn) {}

    /** What the judge is sent: system message and user message. */
    public record JudgeMessages(String system, String user) {}

    private MtBench() {}

    /** The questions, with GPT-4's reference answers attached for the categories that need them. */
    public static List<BenchmarkItem> read(Path questionFile) {
        List<JsonlReader.Line<JsonNode>> lines = JsonlReader.readLines(questionFile, JsonNode.class, null);
        boolean needReferences = lines.stream().anyMatch(l -> needsReference(l.value().path("category").asText("")));
        Map<String, List<String>> references = needReferences ? references(questionFile) : Map.of();
        Path referenceFile = referenceFile(questionFile);
        List<BenchmarkItem> out = new ArrayList<>();
        for (JsonlReader.Line<JsonNode> line : lines) {
            JsonNode q = line.value();
            JsonNode id = q.get("question_id");
            if (id == null || id.isNull() || id.isContainerNode()) {
                throw new InvalidInputException(questionFile, line.number(), "missing field \"question_id\"");
            }
            List<String> turns = new ArrayList<>();
            q.path("turns").forEach(t -> turns.add(t.asText()));
            if (turns.isEmpty()) throw new InvalidInputException(questionFile, line.number(), "question has no turns");
            String category = q.path("category").asText("");
            List<String> reference = List.of();
            if (needsReference(category)) {
                reference = references.get(id.asText());
                if (reference == null || reference.size() < Math.min(turns.size(), 2)) {
                    throw new InvalidInputException(questionFile, line.number(), "question " + id.asText() + " ("
                            + category + ") needs " + Math.min(turns.size(), 2) + " reference turns in "
                            + referenceFile + " (FastChat's data/mt_bench/reference_answer/gpt-4.jsonl)");
                }
            }
            out.add(new BenchmarkItem(id.asText(), null, turns, null, List.of(), null, category, reference));
        }
        judgePrompts(questionFile); // a missing or incomplete judge_prompts.jsonl stops the stage before any answer
        return out;
    }

    public static Path referenceFile(Path questionFile) {
        return questionFile.resolveSibling(REFERENCE_FILE);
    }

    public static Path judgePromptsFile(Path questionFile) {
        return questionFile.resolveSibling(JUDGE_PROMPTS_FILE);
    }

    private static Map<String, List<String>> references(Path questionFile) {
        Path file = referenceFile(questionFile);
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file, "not found: MT-Bench's math, reasoning and coding questions are "
                    + "judged against FastChat's reference answers (data/mt_bench/reference_answer/gpt-4.jsonl); "
                    + "put that file there");
        }
        Map<String, List<String>> out = new HashMap<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(file, JsonNode.class, null)) {
            JsonNode turns = line.value().path("choices").path(0).path("turns");
            if (!turns.isArray() || !line.value().has("question_id")) {
                throw new InvalidInputException(file, line.number(), "expected question_id and choices[0].turns");
            }
            List<String> t = new ArrayList<>();
            turns.forEach(n -> t.add(n.asText()));
            out.put(line.value().get("question_id").asText(), t);
        }
        return out;
    }

    /** Reads the four single-grading prompts from judge_prompts.jsonl beside {@code questionFile}. */
    public static JudgePrompts judgePrompts(Path questionFile) {
        Path file = judgePromptsFile(questionFile);
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(file, "not found: MT-Bench is judged with FastChat's judge prompts; "
                    + "put FastChat's fastchat/llm_judge/data/judge_prompts.jsonl beside " + questionFile.getFileName());
        }
        Map<String, JudgePrompt> byName = new HashMap<>();
        for (JsonlReader.Line<JsonNode> line : JsonlReader.readLines(file, JsonNode.class, null)) {
            JsonNode p = line.value();
            String name = p.path("name").asText(null);
            if (name == null) throw new InvalidInputException(file, line.number(), "missing field \"name\"");
            if (!p.path("system_prompt").isTextual() || !p.path("prompt_template").isTextual()) {
                throw new InvalidInputException(file, line.number(), "prompt " + name
                        + " needs system_prompt and prompt_template");
            }
            if (p.has("output_format") && !"[[rating]]".equals(p.get("output_format").asText())
                    && name.startsWith("single")) {
                throw new InvalidInputException(file, line.number(), "prompt " + name + " has output format "
                        + p.get("output_format").asText() + "; single grading reads [[rating]]");
            }
            byName.put(name, new JudgePrompt(name, p.get("system_prompt").asText(), p.get("prompt_template").asText()));
        }
        List<JudgePrompt> four = new ArrayList<>();
        for (String name : List.of("single-v1", "single-math-v1", "single-v1-multi-turn", "single-math-v1-multi-turn")) {
            JudgePrompt p = byName.get(name);
            if (p == null) throw new InvalidInputException(file, "has no judge prompt named " + name);
            four.add(p);
        }
        return new JudgePrompts(four.get(0), four.get(1), four.get(2), four.get(3));
    }

    public static boolean needsReference(String category) {
        return NEED_REF_CATS.contains(category);
    }

    public static double temperature(String category) {
        return TEMPERATURE.getOrDefault(category, DEFAULT_TEMPERATURE);
    }

    /** Whether turn {@code turn} (0-based) is judged: turn 1 always, turn 2 when the question has exactly two. */
    public static boolean judged(BenchmarkItem item, int turn) {
        return turn == 0 || (turn == 1 && item.turns().size() == 2);
    }

    /** The judge's messages for turn {@code turn} (0 or 1) given the model's answers (common.py run_judge_single). */
    public static JudgeMessages judgeMessages(JudgePrompts prompts, BenchmarkItem item, List<String> answers,
                                              int turn) {
        boolean ref = needsReference(item.category());
        boolean multi = turn == 1;
        JudgePrompt p = multi ? (ref ? prompts.mathMultiTurn() : prompts.multiTurn())
                : (ref ? prompts.math() : prompts.single());
        Map<String, String> v = new HashMap<>();
        if (ref) {
            v.put("ref_answer_1", item.referenceTurns().get(0));
            if (multi) v.put("ref_answer_2", item.referenceTurns().get(1));
        }
        if (multi) {
            v.put("question_1", item.turns().get(0));
            v.put("question_2", item.turns().get(1));
            v.put("answer_1", answers.get(0));
            v.put("answer_2", answers.get(1));
        } else {
            v.put("question", item.turns().get(0));
            v.put("answer", answers.get(0));
        }
        try {
            return new JudgeMessages(p.system(), PythonFormat.format(p.template(), v));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("judge prompt " + p.name() + " of " + JUDGE_PROMPTS_FILE + ": "
                    + e.getMessage());
        }
    }

    /**
     * The rating FastChat reads: the first "[[x]]", else the first "[x]", as Python's ast.literal_eval reads x; -1 when
     * there is none (or when x is an integer with a leading zero, which literal_eval refuses).
     */
    public static double rating(String judgement) {
        String text = judgement == null ? "" : judgement;
        Matcher m = ONE_SCORE.matcher(text);
        if (!m.find()) {
            m = ONE_SCORE_BACKUP.matcher(text);
            if (!m.find()) return UNRATED;
        }
        String x = m.group(1);
        if (!x.contains(".") && x.length() > 1 && x.charAt(0) == '0') return UNRATED;
        return Double.parseDouble(x);
    }

    /**
     * The summary of show_result.py over the per-question outputs ({@code turnScores}: -1 or null for an unrated
     * turn): score, score/turn1, score/turn2, score/category/&lt;c&gt; (mean of the category's rated turns), n
     * (questions with a rated turn), ratedTurns, unscored (turns not rated), truncatedTurns and overlongTurns.
     */
    public static Map<String, Double> metrics(List<SampleOutput> outputs, Map<String, BenchmarkItem> items) {
        List<Double> all = new ArrayList<>();
        List<List<Double>> perTurn = List.of(new ArrayList<>(), new ArrayList<>());
        Map<String, List<Double>> perCategory = new TreeMap<>();
        int unrated = 0;
        int questions = 0;
        double truncated = 0;
        double overlong = 0;
        for (SampleOutput o : outputs) {
            List<Double> scores = o.turnScores() == null ? List.of() : o.turnScores();
            boolean any = false;
            for (int t = 0; t < scores.size(); t++) {
                Double s = scores.get(t);
                if (s == null || s == UNRATED) {
                    unrated++;
                    continue;
                }
                any = true;
                all.add(s);
                if (t < 2) perTurn.get(t).add(s);
                BenchmarkItem item = items.get(o.id());
                String category = item == null || item.category() == null ? "" : item.category();
                perCategory.computeIfAbsent(category, k -> new ArrayList<>()).add(s);
            }
            if (any) questions++;
            if (o.truncatedTurns() != null) truncated += o.truncatedTurns();
            if (o.overlongTurns() != null) overlong += o.overlongTurns();
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("score", mean(all));
        for (int t = 0; t < 2; t++) if (!perTurn.get(t).isEmpty()) m.put("score/turn" + (t + 1), mean(perTurn.get(t)));
        perCategory.forEach((c, s) -> m.put("score/category/" + c, mean(s)));
        m.put("n", (double) questions);
        m.put("ratedTurns", (double) all.size());
        m.put("unscored", (double) unrated);
        m.put("truncatedTurns", truncated);
        m.put("overlongTurns", overlong);
        return m;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
