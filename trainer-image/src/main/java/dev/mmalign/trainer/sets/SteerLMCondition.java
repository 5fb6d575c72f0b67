package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;

import java.util.List;
import java.util.Map;

/**
 * Writes attribute values into a prompt, for training and, with the desired values (default all 4), at inference.
 * Natural language (the paper's): the question, a newline, then
 * {@code Please answer the question such that your response is in the following attributes in 5-point Likert
 * scale:\nHelpfulness:4,Correctness:4,...}. NeMo-Aligner's form: the question followed by
 * {@code <extra_id_2>helpfulness:4,correctness:4,...}.
 */
public final class SteerLMCondition {

    public static final String NATURAL_LANGUAGE_LEAD =
            "Please answer the question such that your response is in the following attributes in 5-point Likert scale:\n";
    public static final String NEMO_LEAD = "<extra_id_2>";

    private SteerLMCondition() {}

    public static String apply(SteerLMTemplate template, String question, List<HelpSteerAttribute> attributes,
                               Map<String, Integer> values) {
        StringBuilder list = new StringBuilder();
        for (HelpSteerAttribute a : attributes) {
            Integer v = values.get(a.wireName());
            if (v == null) {
                throw new IllegalArgumentException("no value for attribute " + a.wireName());
            }
            if (list.length() > 0) list.append(',');
            String name = template == SteerLMTemplate.NEMO ? a.wireName() : capitalized(a.wireName());
            list.append(name).append(':').append(v);
        }
        return template == SteerLMTemplate.NEMO
                ? question + NEMO_LEAD + list
                : question + "\n" + NATURAL_LANGUAGE_LEAD + list;
    }

    /** The inference-time prompt asking for the top value (4) on every attribute. */
    public static String best(SteerLMTemplate template, String question, List<HelpSteerAttribute> attributes) {
        Map<String, Integer> fours = new java.util.HashMap<>();
        attributes.forEach(a -> fours.put(a.wireName(), 4));
        return apply(template, question, attributes, fours);
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
