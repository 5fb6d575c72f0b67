package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.data.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whole-file reads of benchmark data (MMBench TSV, MM-Vet and AlpacaEval JSON, LLaVA-Bench rules, grader prompts),
 * each with a size limit checked before a byte is read: these files are parsed in memory, and a wrong path pointing
 * at a huge file would otherwise exhaust the heap (retried as exit 1) instead of saying what is wrong (exit 2).
 * Line-per-record benchmark files go through JsonlReader, which has its own line and file limits.
 */
final class BenchmarkFiles {

    /** A TSV with every image inline as base64 (MMBench's form); read into one String, so bounded by the heap. */
    static final long MAX_TSV_BYTES = 1L << 30;
    /** One TSV row: one inline image of up to about 12 MB in base64 plus its question and options. */
    static final int MAX_TSV_ROW_CHARS = 16 << 20;
    /** A JSON document of questions or rules; its tree takes several times its size in memory. */
    static final long MAX_JSON_BYTES = 128L << 20;
    /** A grader prompt, template or evaluator source. */
    static final long MAX_TEXT_BYTES = 8L << 20;

    private BenchmarkFiles() {}

    /** The file as UTF-8 text; missing or larger than {@code maxBytes} is invalid input naming the file. */
    static String read(Path file, long maxBytes, String what) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new InvalidInputException(file, "is " + size + " bytes, more than the " + maxBytes
                        + "-byte limit for " + what);
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file, "file not found");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new InvalidInputException(file, "is not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
