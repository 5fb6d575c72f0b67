package dev.mmalign.trainer.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a file holding one JSON array of objects, as public datasets publish them (LLaVA's conversation JSON,
 * LRV-Instruction, the paper's DPO pairs). Elements are streamed one at a time, so a large file is never held as one
 * tree. Problems name the file and the element's 0-based index in the array ({@code file[12]}), since such files are
 * often written on a single line and a line number would not help.
 */
public final class JsonArrayReader {

    /** One element and its index in the array. */
    public record Element(JsonNode value, int index) {}

    private JsonArrayReader() {}

    /** Where element {@code index} of {@code file} is, as problems name it. */
    public static String where(Path file, int index) {
        return file + "[" + index + "]";
    }

    /** Every element of the array; an empty array, a non-array or a non-object element is invalid input. */
    public static List<Element> readObjects(Path file) {
        JsonlReader.requireSize(file);
        List<Element> out = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); JsonParser parser = Json.MAPPER.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new InvalidInputException(file, "expected a JSON array of records (this format is one JSON "
                        + "array, not JSON lines)");
            }
            int index = 0;
            JsonToken token;
            while ((token = next(parser, file, index)) != JsonToken.END_ARRAY) {
                if (token == null) {
                    throw new InvalidInputException(file, "the JSON array is not closed (file cut short?)");
                }
                if (token != JsonToken.START_OBJECT) {
                    throw new InvalidInputException(where(file, index) + ": expected a JSON object, found " + token);
                }
                JsonNode node;
                try {
                    node = parser.readValueAsTree();
                } catch (JsonProcessingException e) {
                    throw new InvalidInputException(where(file, index) + ": not valid JSON: "
                            + JsonProblems.describe(e));
                }
                out.add(new Element(node, index++));
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file, "file not found");
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file, "not valid JSON: " + JsonProblems.describe(e));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (out.isEmpty()) {
            throw new InvalidInputException(file, "holds no records (the JSON array is empty)");
        }
        return out;
    }

    private static JsonToken next(JsonParser parser, Path file, int index) throws IOException {
        try {
            return parser.nextToken();
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(where(file, index) + ": not valid JSON: " + JsonProblems.describe(e));
        }
    }
}
