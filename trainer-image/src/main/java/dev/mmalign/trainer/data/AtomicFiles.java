package dev.mmalign.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Whole-file outputs written to a temporary sibling and renamed into place, so readers never see half a file. */
public final class AtomicFiles {

    private AtomicFiles() {}

    public static void write(Path file, String text) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            // A per-thread temporary name: shards writing identical content at once must not share one temp file.
            Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                    + Thread.currentThread().getId());
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Writes records as JSONL, atomically. */
    public static void writeJsonl(Path file, Iterable<?> records) {
        StringBuilder text = new StringBuilder();
        for (Object record : records) {
            text.append(Json.line(record)).append('\n');
        }
        write(file, text.toString());
    }

    /**
     * Deletes a folder and everything in it (a no-op when absent): the stale temporary sibling before a folder is
     * written again, or the old folder a finished one replaces.
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause(); // Files.walk reports I/O errors met while listing this way
        }
    }
}
