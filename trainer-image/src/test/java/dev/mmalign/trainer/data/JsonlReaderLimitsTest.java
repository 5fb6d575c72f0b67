package dev.mmalign.trainer.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Limits and messages of the JSONL reader: long lines, empty files, and errors that never quote the input. */
class JsonlReaderLimitsTest {

    @TempDir
    Path dir;

    @Test
    void aTenMegabyteLineIsRefusedWithFileAndLineBeforeItIsHeld() throws IOException {
        Path file = dir.resolve("prompts.jsonl");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("{\"id\":\"p0\",\"question\":\"q\"}\n");
            w.write("{\"id\":\"p1\",\"question\":\"");
            for (int i = 0; i < 10 * 1024; i++) w.write("x".repeat(1024));
            w.write("\"}\n");
        }
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readLines(file, PromptRecord.class, PromptRecord::problem));
        assertEquals(file + ":2: line is longer than " + JsonlReader.MAX_LINE_CHARS + " characters", e.getMessage());
    }

    @Test
    void crLfLinesAndBlankLinesStillRead() throws IOException {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"question\":\"q\"}\r\n\r\n{\"id\":\"b\",\"question\":\"q\"}");
        var lines = JsonlReader.readLines(file, PromptRecord.class, PromptRecord::problem);
        assertEquals(2, lines.size());
        assertEquals(3, lines.get(1).number());
    }

    @Test
    void anEmptyFileIsAnErrorWhereRecordsAreRequired() throws IOException {
        Path file = dir.resolve("empty.jsonl");
        Files.writeString(file, "\n\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readNonEmpty(file, PromptRecord.class, PromptRecord::problem));
        assertTrue(e.getMessage().contains("holds no records"), e.getMessage());
    }

    @Test
    void errorsNameTheLineButNeverQuoteItsContent() throws IOException {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "root:x:0:0:root:/root:/bin/bash\n");
        String message = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readLines(file, PromptRecord.class, PromptRecord::problem)).getMessage();
        assertTrue(message.startsWith(file + ":1: not a valid PromptRecord JSON line"), message);
        assertFalse(message.contains("root"), message);

        Files.writeString(file, "{\"id\":\"p\",\"question\":[\"hunter2-secret\"]}\n");
        message = assertThrows(InvalidInputException.class,
                () -> JsonlReader.readLines(file, PromptRecord.class, PromptRecord::problem)).getMessage();
        assertTrue(message.contains("field \"question\" has the wrong type or value"), message);
        assertFalse(message.contains("hunter2"), message);
    }
}
