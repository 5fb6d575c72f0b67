package dev.mmalign.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads JSONL files into typed records. Every problem (bad JSON, a missing required field, invalid UTF-8) becomes an
 * {@link InvalidInputException} naming the file and the 1-based line, so an operator sees at once what to fix.
 */
public final class JsonlReader {

    /** Checks one decoded record; returns null when it is fine, else what is wrong with it. */
    public interface Validator<T> {
        String problem(T record);
    }

    /** A record and the line it came from. */
    public record Line<T>(T value, long number) {}

    /** Longest line accepted: records are prompts, completions and ratings, a few KB each (images are files). */
    public static final int MAX_LINE_CHARS = 1 << 20;
    /** Largest file accepted (the records are held in memory); bigger data is split into shards. */
    public static final long MAX_FILE_BYTES = 2L << 30;

    private JsonlReader() {}

    public static <T> List<T> readAll(Path file, Class<T> type, Validator<T> validator) {
        List<T> out = new ArrayList<>();
        for (Line<T> line : readLines(file, type, validator)) {
            out.add(line.value());
        }
        return out;
    }

    public static <T> List<Line<T>> readLines(Path file, Class<T> type, Validator<T> validator) {
        List<Line<T>> out = new ArrayList<>();
        requireSize(file);
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            StringBuilder buffer = new StringBuilder();
            long number = 0;
            while (readLine(reader, buffer, file, number + 1)) {
                number++;
                String text = buffer.toString();
                if (text.isBlank()) {
                    continue; // blank lines (e.g. a trailing newline pair) carry no record
                }
                T value = decode(file, number, text, type);
                String problem = validator == null ? null : validator.problem(value);
                if (problem != null) {
                    throw new InvalidInputException(file, number, problem);
                }
                out.add(new Line<>(value, number));
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file, "file not found");
        } catch (CharacterCodingException e) {
            throw new InvalidInputException(file, "not valid UTF-8");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }

    /** Records of a file that must hold at least one: an empty input is an error, not an empty success. */
    public static <T> List<Line<T>> readNonEmpty(Path file, Class<T> type, Validator<T> validator) {
        List<Line<T>> lines = readLines(file, type, validator);
        if (lines.isEmpty()) {
            throw new InvalidInputException(file, "holds no records (the file is empty or only blank lines)");
        }
        return lines;
    }

    /** The file exists and is within {@link #MAX_FILE_BYTES}; else invalid input naming it. */
    static void requireSize(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new InvalidInputException(file, "is " + size + " bytes, more than the limit of "
                        + MAX_FILE_BYTES + "; split it into shards");
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Reads one line into {@code buffer} (without its terminator), refusing one longer than {@link #MAX_LINE_CHARS}
     * before it is held in memory: one 10 MB line once drove a stage to 14.7 GB. Returns false at the end of file.
     */
    private static boolean readLine(BufferedReader reader, StringBuilder buffer, Path file, long number)
            throws IOException {
        buffer.setLength(0);
        int c = reader.read();
        if (c < 0) {
            return false;
        }
        while (c >= 0 && c != '\n') {
            if (c != '\r') {
                if (buffer.length() >= MAX_LINE_CHARS) {
                    throw new InvalidInputException(file, number, "line is longer than " + MAX_LINE_CHARS
                            + " characters");
                }
                buffer.append((char) c);
            }
            c = reader.read();
        }
        return true;
    }

    private static <T> T decode(Path file, long number, String text, Class<T> type) {
        try {
            T value = Json.MAPPER.readValue(text, type);
            if (value == null) {
                throw new InvalidInputException(file, number, "expected a JSON object, found null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file, number, "not a valid " + type.getSimpleName() + " JSON line: "
                    + JsonProblems.describe(e));
        }
    }
}
