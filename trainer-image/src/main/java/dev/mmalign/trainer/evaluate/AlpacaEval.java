package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.PythonLiteral;
import dev.mmalign.trainer.judge.MalformedAnswerException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AlpacaEval 1 with the annotator the paper's numbers came from, {@code alpaca_eval_gpt4} (the paper's code,
 * findalexli/mllm-dpo, keeps its annotations in llava/eval/data/alpaca_eval/model_answer/annotation_alpaca_eval_gpt4.json),
 * after tatsu-lab/alpaca_eval:
 * <ul>
 * <li>Files as published: {@code alpaca_eval.json} (the reference {@code output} of each {@code instruction}) and,
 * beside it, the annotator's folder {@code alpaca_eval_gpt4/} from src/alpaca_eval/evaluators_configs with its prompt
 * template {@code alpaca_eval.txt}.</li>
 * <li>Prompt: each {@code {instruction}}, {@code {output_1}}, {@code {output_2}} placeholder replaced once, in order
 * of first appearance (utils.py make_prompts); the ChatML text split into system and user messages
 * (utils.py prompt_to_chatml). output_1 is the reference, output_2 the model.</li>
 * <li>Order: the two outputs are switched for about half of the instructions, seeded by the instruction
 * (PairwiseAnnotator, is_randomize_output_order, with Python's own random draw, {@link #switched}); a switched
 * preference p becomes 3 - p.</li>
 * <li>Parsing (completion_parsers.py ranking_parser): the reply is a Python literal list of
 * {@code {'model': ..., 'rank': ...}}; the rank of model_1, 1 or 2, is the preference; anything else is NaN (no retry),
 * left out of the win rate. An empty reply is an error there; here it is retried like a failed call.</li>
 * <li>Ties: identical outputs get preference 1.5 without asking the judge (PairwiseAnnotatorLocal preprocessing).</li>
 * <li>Win rate (metrics/winrate.py get_winrate, helpers.py describe_head2head): preferences outside [1, 2] dropped,
 * winRate = 100 × mean(p − 1), standardError = 100 × sample standard error of (p − 1), nWins (p − 1 &gt; 0.5),
 * nWinsBase (&lt; 0.5), nDraws (p = 1.5), nTotal.</li>
 * <li>Length-controlled win rate (metrics/glm_winrate.py, the official default metric), when the published
 * {@code df_gamed.csv} lies beside alpaca_eval.json: {@link LengthControlledWinRate}, as lengthControlledWinRate and
 * lcStandardError. Without that file the official code cannot compute it either (it downloads the file); the other
 * metrics are still given.</li>
 * </ul>
 */
public final class AlpacaEval {

    /** The annotator config, a folder beside alpaca_eval.json as in alpaca_eval's evaluators_configs. */
    public static final String ANNOTATOR = "alpaca_eval_gpt4";

    /** Its prompt template (configs.yaml prompt_template). */
    public static final String TEMPLATE_FILE = ANNOTATOR + "/alpaca_eval.txt";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^ \\s]+?)}");
    private static final Set<String> FIELDS = Set.of("instruction", "output_1", "output_2");

    /** The annotator's prompt template as published. */
    public record Template(Path file, String text) {}

    /** System and user messages sent to the judge. */
    public record Messages(String system, String user) {}

    private AlpacaEval() {}

    /** alpaca_eval.json: a JSON array of {instruction, output, generator?, dataset?}. */
    public static List<BenchmarkItem> read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(BenchmarkFiles.read(file, BenchmarkFiles.MAX_JSON_BYTES, "a JSON benchmark file"));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!root.isArray()) throw new InvalidInputException(file, "expected a JSON array of instructions");
        List<BenchmarkItem> out = new ArrayList<>();
        int i = 0;
        for (JsonNode q : root) {
            if (!q.path("instruction").isTextual() || !q.path("output").isTextual()) {
                throw new InvalidInputException(file, "element " + i + " needs instruction and output");
            }
            out.add(new BenchmarkItem(Integer.toString(i), null, List.of(q.get("instruction").asText()),
                    q.get("output").asText(), List.of(), null, q.path("dataset").asText(null), List.of()));
            i++;
        }
        template(file);
        return out;
    }

    /** The annotator template beside {@code dataFile}; missing, it is an error naming where it belongs. */
    public static Template template(Path dataFile) {
        Path file = dataFile.resolveSibling(TEMPLATE_FILE);
        if (!Files.exists(file)) {
            throw new InvalidInputException(file, "not found: AlpacaEval is judged with the " + ANNOTATOR
                    + " annotator's prompt; copy alpaca_eval's src/alpaca_eval/evaluators_configs/" + ANNOTATOR
                    + "/ beside " + dataFile.getFileName());
        }
        String text = BenchmarkFiles.read(file, BenchmarkFiles.MAX_TEXT_BYTES, "an annotator template");
        Matcher m = PLACEHOLDER.matcher(text);
        Set<String> seen = new LinkedHashSet<>();
        while (m.find()) seen.add(m.group(1));
        if (!seen.equals(FIELDS)) {
            throw new InvalidInputException(file, "expected the placeholders {instruction}, {output_1} and "
                    + "{output_2}, found " + seen);
        }
        String trimmed = text.strip();
        if (!trimmed.startsWith("<|im_start|>") || !trimmed.endsWith("<|im_end|>")) {
            throw new InvalidInputException(file, "expected a ChatML prompt (<|im_start|> ... <|im_end|>)");
        }
        return new Template(file, text);
    }

    /** The judge's messages for one comparison. */
    public static Messages messages(Template template, String instruction, String output1, String output2) {
        Map<String, String> values = Map.of("instruction", instruction, "output_1", output1, "output_2", output2);
        Matcher m = PLACEHOLDER.matcher(template.text());
        Set<String> order = new LinkedHashSet<>();
        while (m.find()) order.add(m.group(1));
        String prompt = template.text();
        for (String field : order) prompt = prompt.replaceFirst(Pattern.quote("{" + field + "}"),
                Matcher.quoteReplacement(values.get(field)));
        String system = null;
        StringBuilder user = new StringBuilder();
        String[] parts = prompt.strip().split(Pattern.quote("<|im_start|>"), -1);
        for (int p = 1; p < parts.length; p++) {
            String[] split = parts[p].split("\n", 2);
            String role = split[0].strip();
            String content = split.length < 2 ? "" : split[1].split(Pattern.quote("<|im_end|>"), 2)[0].strip();
            if (role.equals("system") && system == null) {
                system = content;
            } else if (role.equals("user")) {
                if (!user.isEmpty()) user.append("\n\n");
                user.append(content);
            } else {
                throw new InvalidInputException(template.file(), "role " + role + " is not supported; expected one "
                        + "system and user messages");
            }
        }
        return new Messages(system, user.toString());
    }

    /**
     * Whether the two outputs are shown switched for this instruction (the model's output as output_1), drawn as
     * PairwiseAnnotator's RandomSwitchTwoColumnsProcessor draws it:
     * {@code random.Random("is_switched_outputs" + instruction + str(seed)).choices([False, True], k=1)[0]} with the
     * annotator's default seed 0, i.e. switched when that generator's first random() is at least 0.5.
     */
    public static boolean switched(String instruction) {
        return new PythonRandom("is_switched_outputs" + instruction + "0").random() * 2 >= 1;
    }

    /**
     * ranking_parser: the rank (1 or 2) of "model_1" in the reply read as a Python literal; NaN when the reply is not
     * such a list. An empty reply throws, so that it is asked again.
     */
    public static double preference(String completion) throws MalformedAnswerException {
        if (completion == null || completion.isEmpty()) throw new MalformedAnswerException("the completion is empty");
        try {
            Object parsed = PythonLiteral.parse(completion);
            if (!(parsed instanceof List<?> list)) return Double.NaN;
            Object rank = null;
            boolean found = false;
            for (Object c : list) {
                if (!(c instanceof Map<?, ?> map) || !map.containsKey("model")) return Double.NaN;
                if (!found && "model_1".equals(map.get("model"))) {
                    if (!map.containsKey("rank")) return Double.NaN;
                    rank = map.get("rank");
                    found = true;
                }
            }
            if (!found) return Double.NaN;
            double r = rank instanceof Boolean b ? (b ? 1 : 0) : rank instanceof Number n ? n.doubleValue() : Double.NaN;
            return r == 1 || r == 2 ? r : Double.NaN;
        } catch (IllegalArgumentException e) {
            return Double.NaN;
        }
    }

    /**
     * get_winrate over the per-instruction outputs, whose score is p − 1 (0 the reference preferred, 1 the model,
     * 0.5 a tie; null when the reply was unparsable).
     */
    public static Map<String, Double> metrics(List<SampleOutput> outputs) {
        return metrics(outputs, Map.of(), null);
    }

    /**
     * The win rate as above and, when {@code gamed} is given, the length-controlled win rate over the outputs in
     * their order (output_1 each item's reference, output_2 the model's answer).
     */
    public static Map<String, Double> metrics(List<SampleOutput> outputs, Map<String, BenchmarkItem> items,
                                              LengthControlledWinRate.Gamed gamed) {
        List<Double> valid = new ArrayList<>();
        int draws = 0;
        for (SampleOutput o : outputs) {
            Double s = o.score();
            if (s != null && s == 0.5) draws++;
            if (s != null && !s.isNaN() && s >= 0 && s <= 1) valid.add(s);
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double mean = valid.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        m.put("winRate", valid.isEmpty() ? 0 : 100 * mean);
        if (valid.size() > 1) {
            double ss = valid.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            m.put("standardError", 100 * Math.sqrt(ss / (valid.size() - 1)) / Math.sqrt(valid.size()));
        }
        m.put("nWins", (double) valid.stream().filter(v -> v > 0.5).count());
        m.put("nWinsBase", (double) valid.stream().filter(v -> v < 0.5).count());
        m.put("nDraws", (double) draws);
        m.put("n", (double) valid.size());
        m.put("unscored", (double) (outputs.size() - valid.size()));
        double truncated = outputs.stream().mapToDouble(o -> o.truncatedTurns() == null ? 0 : o.truncatedTurns()).sum();
        double overlong = outputs.stream().mapToDouble(o -> o.overlongTurns() == null ? 0 : o.overlongTurns()).sum();
        if (gamed != null) {
            List<LengthControlledWinRate.Annotation> annotations = new ArrayList<>();
            for (SampleOutput o : outputs) {
                Double s = o.score();
                annotations.add(new LengthControlledWinRate.Annotation(s == null || s.isNaN() ? null : s,
                        items.get(o.id()).answer(), o.answers().isEmpty() ? "" : o.answers().get(0)));
            }
            LengthControlledWinRate.Result lc = LengthControlledWinRate.compute(annotations, gamed);
            if (lc != null) {
                m.put("lengthControlledWinRate", lc.winRate());
                m.put("lcStandardError", lc.standardError());
            }
        }
        m.put("truncatedTurns", truncated);
        m.put("overlongTurns", overlong);
        return m;
    }
}
