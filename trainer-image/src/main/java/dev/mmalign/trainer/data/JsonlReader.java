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
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String text;
            long number = 0;
            while ((text = reader.readLine()) != null) {
                number++;
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

    private static <T> T decode(Path file, long number, String text, Class<T> type) {
        try {
            T value = Json.MAPPER.readValue(text, type);
            if (value == null) {
                throw new InvalidInputException(file, number, "expected a JSON object, found null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file, number, "not a valid " + type.getSimpleName() + " JSON line: "
                    + e.getOriginalMessage());
        }
    }
}
