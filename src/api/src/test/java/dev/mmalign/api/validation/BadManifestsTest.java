package dev.mmalign.api.validation;

import dev.mmalign.validation.CustomResourceValidator;
import dev.mmalign.api.RepoPaths;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Guards that broken manifests are rejected with a message that names the field: missing required fields,
 * out-of-range numbers, unknown enum values, misspelled fields and broken cross-field (CEL) rules. Each file in
 * src/test/resources/bad-manifests starts with "# expect: &lt;field path&gt;: &lt;words of the message&gt;".
 */
class BadManifestsTest {

    private static CustomResourceValidator validator;

    @BeforeAll
    static void loadCrds() throws IOException {
        validator = CustomResourceValidator.fromCrdDirectory(RepoPaths.crds());
    }

    @TestFactory
    List<DynamicTest> everyBadManifestIsRejectedNamingTheField() throws IOException, URISyntaxException {
        Path dir = Path.of(getClass().getResource("/bad-manifests").toURI());
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : Manifests.yamlFilesUnder(dir)) {
            String first = Files.readAllLines(file).get(0);
            assertTrue(first.startsWith("# expect: "), file + " must start with '# expect: <path>: <message>'");
            String expected = first.substring("# expect: ".length());
            String field = expected.substring(0, expected.indexOf(": "));
            String words = expected.substring(expected.indexOf(": ") + 2);
            tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                List<Manifests.Document> docs = Manifests.read(file);
                assertEquals(1, docs.size());
                List<String> errors = validator.validate(docs.get(0).content());
                System.out.println("rejected " + file.getFileName() + ": " + errors);
                assertTrue(errors.stream().anyMatch(e -> e.startsWith(field + ": ") && e.contains(words)),
                        file.getFileName() + ": expected an error '" + field + ": ..." + words + "...', got " + errors);
            }));
        }
        assertTrue(tests.size() >= 20, "bad manifests found: " + tests.size());
        return tests;
    }
}
