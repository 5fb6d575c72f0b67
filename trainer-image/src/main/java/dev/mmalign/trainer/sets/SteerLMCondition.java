package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;

import java.util.LinkedHashMap;
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

    /** A conditioned prompt taken apart: the plain question, the template, and the values in prompt order. */
    public record Parsed(SteerLMTemplate template, String question, LinkedHashMap<HelpSteerAttribute, Integer> values) {

        public List<HelpSteerAttribute> attributes() {
            return List.copyOf(values.keySet());
        }
    }

    /**
     * The inverse of {@link #apply}: reads the condition at the end of {@code prompt}, strictly (every attribute a
     * HelpSteer name in the template's spelling, each at most once, every value an integer 0-4, nothing after the
     * list). The last occurrence of the template's lead counts, so a question that quotes the lead still parses.
     *
     * @throws IllegalArgumentException saying what is wrong when the prompt carries no well-formed condition
     */
    public static Parsed parse(String prompt) {
        String naturalLead = "\n" + NATURAL_LANGUAGE_LEAD;
        int natural = prompt.lastIndexOf(naturalLead);
        int nemo = prompt.lastIndexOf(NEMO_LEAD);
        if (natural < 0 && nemo < 0) {
            throw new IllegalArgumentException("the prompt carries no SteerLM condition (neither \""
                    + NATURAL_LANGUAGE_LEAD.strip() + "\" nor " + NEMO_LEAD + ")");
        }
        // Whichever lead comes last is the condition; anything earlier is part of the question.
        SteerLMTemplate template = natural > nemo ? SteerLMTemplate.NATURAL_LANGUAGE : SteerLMTemplate.NEMO;
        int at = template == SteerLMTemplate.NEMO ? nemo : natural;
        String question = prompt.substring(0, at);
        String list = prompt.substring(at + (template == SteerLMTemplate.NEMO ? NEMO_LEAD : naturalLead).length());
        if (question.isBlank()) {
            throw new IllegalArgumentException("the SteerLM condition has no question before it");
        }
        LinkedHashMap<HelpSteerAttribute, Integer> values = new LinkedHashMap<>();
        for (String item : list.split(",", -1)) {
            int colon = item.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("SteerLM attribute \"" + item + "\" is not name:value");
            }
            String name = item.substring(0, colon);
            HelpSteerAttribute attribute = attribute(template, name);
            String value = item.substring(colon + 1);
            if (!value.matches("[0-4]")) {
                throw new IllegalArgumentException("SteerLM attribute " + name + " has value \"" + value
                        + "\"; expected one digit 0-4");
            }
            if (values.put(attribute, Integer.parseInt(value)) != null) {
                throw new IllegalArgumentException("SteerLM attribute " + name + " appears twice");
            }
        }
        return new Parsed(template, question, values);
    }

    private static HelpSteerAttribute attribute(SteerLMTemplate template, String name) {
        for (HelpSteerAttribute a : HelpSteerAttribute.values()) {
            String spelled = template == SteerLMTemplate.NEMO ? a.wireName() : capitalized(a.wireName());
            if (spelled.equals(name)) return a;
        }
        throw new IllegalArgumentException("unknown SteerLM attribute \"" + name + "\" for the "
                + (template == SteerLMTemplate.NEMO ? "nemo" : "natural-language") + " template");
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
