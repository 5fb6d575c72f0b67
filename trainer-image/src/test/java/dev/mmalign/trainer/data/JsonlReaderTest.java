package dev.mmalign.trainer.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards that malformed input is reported with its file and line, and that numbers are never silently coerced. */
class JsonlReaderTest {

    @TempDir
    Path dir;

    @Test
    void badJsonNamesFileAndLine() throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"question\":\"q\"}\n\n{\"id\":\"b\",\"question\":\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readAll(file, PromptRecord.class, PromptRecord::problem));
        assertTrue(e.getMessage().startsWith(file + ":3: "), e.getMessage());
    }

    @Test
    void validatorProblemNamesFileAndLine() throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"question\":\"q\"}\n{\"id\":\"b\"}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readAll(file, PromptRecord.class, PromptRecord::problem));
        assertEquals(file + ":2: prompt b has no \"question\"", e.getMessage());
    }

    @Test
    void fractionalOrQuotedRatingsAreRejectedNotRounded() throws Exception {
        Path file = dir.resolve("annotations.jsonl");
        Files.writeString(file, "{\"promptId\":\"p\",\"completionId\":\"p#0\",\"ratings\":{\"helpfulness\":3.5}}\n");
        assertThrows(InvalidInputException.class,
                () -> JsonlReader.readAll(file, AnnotationRecord.class, AnnotationRecord::problem));
        Files.writeString(file, "{\"promptId\":\"p\",\"completionId\":\"p#0\",\"ratings\":{\"helpfulness\":\"4\"}}\n");
        assertThrows(InvalidInputException.class,
                () -> JsonlReader.readAll(file, AnnotationRecord.class, AnnotationRecord::problem));
        Files.writeString(file, "{\"promptId\":\"p\",\"completionId\":\"p#0\",\"ratings\":{\"helpfulness\":5}}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readAll(file, AnnotationRecord.class, AnnotationRecord::problem));
        assertTrue(e.getMessage().contains(":1: ") && e.getMessage().contains("0-4"), e.getMessage());
    }

    @Test
    void missingFileIsInvalidInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readAll(dir.resolve("nope.jsonl"), PromptRecord.class, null));
        assertTrue(e.getMessage().contains("nope.jsonl"));
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() throws Exception {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"question\":\"q\",\"extra\":1}\n");
        List<PromptRecord> p = JsonlReader.readAll(file, PromptRecord.class, PromptRecord::problem);
        assertEquals("a", p.get(0).id());
    }
}
