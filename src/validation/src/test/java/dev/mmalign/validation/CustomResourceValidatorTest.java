package dev.mmalign.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards the parts of the schema walk that our CRDs' manifests do not all reach: preserved unknown fields, set-lists,
 * required fields, pruning with strict reporting, defaulting before CEL, and a CRD whose rule does not compile.
 */
class CustomResourceValidatorTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final String CRD = """
            spec:
              group: example.dev
              names: {kind: Thing}
              versions:
              - name: v1
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        required: [size]
                        x-kubernetes-validations:
                        - rule: "self.size <= self.limit"
                          message: size above limit
                        properties:
                          size: {type: integer, minimum: 1}
                          limit: {type: integer, default: 10}
                          tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
                          free: {type: object, x-kubernetes-preserve-unknown-fields: true}
                          name: {type: string, maxLength: 5, pattern: "^[a-z]+$"}
            """;

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    private static CustomResourceValidator validator(String crd) throws Exception {
        return CustomResourceValidator.fromCrds(List.of(yaml(crd)));
    }

    private static JsonNode thing(String spec) throws Exception {
        return yaml("{apiVersion: example.dev/v1, kind: Thing, metadata: {name: t}, spec: " + spec + "}");
    }

    @Test
    void prunesUnknownFieldsButKeepsPreservedOnesAndFillsDefaultsBeforeCel() throws Exception {
        CustomResourceValidator.Result r = validator(CRD).admit(thing("{size: 3, typo: 1, free: {any: {x: 1}}}"));
        assertEquals(List.of("spec.typo"), r.prunedFields());
        assertEquals(List.of(), r.violations());
        assertFalse(r.object().path("spec").has("typo"));
        assertEquals(1, r.object().at("/spec/free/any/x").asInt());
        assertEquals(10, r.object().at("/spec/limit").asInt());
        assertEquals(List.of("spec.typo: unknown field \"spec.typo\""),
                validator(CRD).validate(thing("{size: 3, typo: 1}")));
    }

    @Test
    void reportsEachViolationWithItsFieldAndKubesWording() throws Exception {
        List<String> errors = validator(CRD).validate(thing("{tags: [a, b, a], name: Toolong}"));
        assertTrue(errors.contains("spec.size: Required value"), errors.toString());
        assertTrue(errors.contains("spec.tags[2]: Duplicate value: \"a\""), errors.toString());
        assertTrue(errors.contains("spec.name: Too long: may not be more than 5 bytes"), errors.toString());
        assertEquals(List.of("spec.size: Invalid value: \"string\": spec.size in body must be of type integer: "
                + "\"string\""), validator(CRD).validate(thing("{size: big}")));
        assertEquals(List.of("spec: Invalid value: \"object\": size above limit"),
                validator(CRD).validate(thing("{size: 11}")));
    }

    @Test
    void aRuleThatDoesNotCompileFailsWhenTheCrdIsLoaded() {
        assertThrows(IllegalStateException.class, () -> validator(CRD.replace("self.size <= self.limit",
                "self.size <=")));
    }
}
