package dev.mmalign.trainer.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards crash safety of append-only outputs: a torn last line is cut on reopen, whole lines are never lost. */
class JsonlAppenderTest {

    @TempDir
    Path dir;

    record Item(String id, int n) {}

    @Test
    void tornLastLineIsCutWhenReopenedAndAppendingContinuesCleanly() throws Exception {
        Path file = dir.resolve("out.jsonl");
        try (JsonlAppender out = JsonlAppender.open(file)) {
            out.appendAll(List.of(new Item("a", 1), new Item("b", 2)));
        }
        // A pod killed mid-write leaves half a line without its newline.
        Files.writeString(file, "{\"id\":\"c\",\"n\"", java.nio.file.StandardOpenOption.APPEND);
        try (JsonlAppender out = JsonlAppender.open(file)) {
            assertEquals(13, out.truncatedBytes());
            out.append(new Item("c", 3));
        }
        List<Item> items = JsonlReader.readAll(file, Item.class, null);
        assertEquals(List.of(new Item("a", 1), new Item("b", 2), new Item("c", 3)), items);
    }

    @Test
    void cleanFileIsLeftAsIs() throws Exception {
        Path file = dir.resolve("clean.jsonl");
        Files.writeString(file, "{\"id\":\"a\",\"n\":1}\n");
        try (JsonlAppender out = JsonlAppender.open(file)) {
            assertEquals(0, out.truncatedBytes());
        }
        assertEquals("{\"id\":\"a\",\"n\":1}\n", Files.readString(file));
    }

    @Test
    void fileWithOnlyATornLineBecomesEmpty() throws Exception {
        Path file = dir.resolve("torn.jsonl");
        Files.writeString(file, "{\"id\":");
        try (JsonlAppender out = JsonlAppender.open(file)) {
            assertEquals(6, out.truncatedBytes());
        }
        assertEquals(0, Files.size(file));
    }

    @Test
    void createsMissingFolders() {
        Path file = dir.resolve("a/b/c.jsonl");
        try (JsonlAppender out = JsonlAppender.open(file)) {
            out.append(new Item("x", 0));
        }
        assertTrue(Files.exists(file));
    }
}
