package dev.mmalign.trainer.sets;

import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.dataset.SteerLMTemplate;
import dev.mmalign.trainer.data.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.mmalign.api.dataset.HelpSteerAttribute.COHERENCE;
import static dev.mmalign.api.dataset.HelpSteerAttribute.CORRECTNESS;
import static dev.mmalign.api.dataset.HelpSteerAttribute.HELPFULNESS;
import static dev.mmalign.api.dataset.HelpSteerAttribute.VERBOSITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards reading the SteerLM condition back out of a prompt, and the descriptor a trained model carries. */
class SteerLMConditionTest {

    /**
     * Guards the round trip for both templates: apply then parse gives back the question (newlines and all), the
     * template, and the values in the set's attribute order, which need not be HelpSteer's.
     */
    @Test
    void applyThenParseRoundTripsForBothTemplates() {
        List<HelpSteerAttribute> order = List.of(VERBOSITY, HELPFULNESS, COHERENCE);
        Map<String, Integer> values = Map.of("verbosity", 0, "helpfulness", 3, "coherence", 4);
        String question = "Line one?\nLine two: describe the image.";
        for (SteerLMTemplate template : SteerLMTemplate.values()) {
            SteerLMCondition.Parsed p = SteerLMCondition.parse(SteerLMCondition.apply(template, question, order, values));
            assertEquals(template, p.template());
            assertEquals(question, p.question());
            assertEquals(order, p.attributes());
            LinkedHashMap<HelpSteerAttribute, Integer> expected = new LinkedHashMap<>();
            expected.put(VERBOSITY, 0);
            expected.put(HELPFULNESS, 3);
            expected.put(COHERENCE, 4);
            assertEquals(expected, p.values());
        }
    }

    /** Guards the last-lead rule: a question that itself mentions a template's lead still parses to the real list. */
    @Test
    void aQuestionQuotingTheLeadStillParses() {
        String question = "What does <extra_id_2> mean?";
        String prompt = SteerLMCondition.best(SteerLMTemplate.NATURAL_LANGUAGE, question, List.of(HELPFULNESS));
        SteerLMCondition.Parsed p = SteerLMCondition.parse(prompt);
        assertEquals(SteerLMTemplate.NATURAL_LANGUAGE, p.template());
        assertEquals(question, p.question());
    }

    /** Guards strictness: every malformed condition is refused with a reason, never half-read. */
    @Test
    void malformedConditionsAreRefusedWithAReason() {
        String lead = "Q\n" + SteerLMCondition.NATURAL_LANGUAGE_LEAD;
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("Describe the image.", "no SteerLM condition");
        cases.put(lead + "Helpfulness:5", "one digit 0-4");
        cases.put(lead + "Helpfulness:4,", "not name:value");
        cases.put(lead + "Helpfulness:4 ", "one digit 0-4");
        cases.put(lead + "helpfulness:4", "unknown SteerLM attribute \"helpfulness\" for the natural-language");
        cases.put("Q<extra_id_2>Helpfulness:4", "unknown SteerLM attribute \"Helpfulness\" for the nemo");
        cases.put("Q<extra_id_2>correctness:4,correctness:3", "appears twice");
        cases.put("<extra_id_2>correctness:4", "no question");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SteerLMCondition.parse(c.getKey()), c.getKey());
            assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + " -> " + e.getMessage());
        }
    }

    /** Guards the descriptor: all 4 by default, written and read back, applied exactly as training applied it. */
    @Test
    void descriptorRoundTripsAndAppliesTheTrainingTemplate(@TempDir Path dir) {
        SteerLMDescriptor d = SteerLMDescriptor.best(SteerLMTemplate.NEMO, List.of(CORRECTNESS, HELPFULNESS));
        assertEquals("Q<extra_id_2>correctness:4,helpfulness:4", d.apply("Q"));
        d.write(dir);
        assertEquals(d, SteerLMDescriptor.read(dir));
        assertNull(SteerLMDescriptor.read(dir.resolve("elsewhere")), "no file: a plain model");
    }

    /** Guards reading a descriptor strictly: a wrong value or a missing attribute value is exit code 2 naming it. */
    @Test
    void malformedDescriptorIsInvalidInput(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(SteerLMDescriptor.FILE), "{\"template\":\"nemo\",\"attributes\":[\"helpfulness\","
                + "\"verbosity\"],\"desiredValues\":{\"helpfulness\":4,\"verbosity\":7}}");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SteerLMDescriptor.read(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(SteerLMDescriptor.FILE) + ": \"desiredValues\".verbosity"),
                e.getMessage());
        Files.writeString(dir.resolve(SteerLMDescriptor.FILE), "{\"template\":\"fancy\",\"attributes\":[]}");
        assertThrows(InvalidInputException.class, () -> SteerLMDescriptor.read(dir));
    }
}
