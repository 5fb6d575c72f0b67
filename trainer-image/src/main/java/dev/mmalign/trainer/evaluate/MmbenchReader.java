package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.data.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An MMBench TSV as published (VLMEvalKit's MMBench_DEV_EN.tsv and kin, read as pandas reads it): columns index,
 * question, hint, A..E, answer, category, l2-category, image. The image cell is base64, a path under the image root,
 * or — for a circular copy — the index of the row whose image it shares (VLMEvalKit's short image reference). Rows
 * come back ordered by question (index % 1,000,000), main row first, so that a limit cuts whole questions where it can.
 */
final class MmbenchReader {

    private static final List<String> LETTERS = List.of("A", "B", "C", "D", "E");
    /** VLMEvalKit treats an image cell of at most 64 characters as a reference to another row's image. */
    private static final int REFERENCE_MAX = 64;

    private MmbenchReader() {}

    static List<BenchmarkItem> read(Path file, Path imageRoot, Path scratch) {
        List<PandasTsv.Row> rows = PandasTsv.read(file);
        if (rows.isEmpty()) throw new InvalidInputException(file, "no questions");
        for (String required : List.of("index", "question", "answer", "image", "A", "B")) {
            if (!rows.get(0).cells().containsKey(required)) {
                throw new InvalidInputException(file, 1, "TSV header lacks column " + required);
            }
        }
        Map<String, String> imageCells = new HashMap<>();
        for (PandasTsv.Row row : rows) {
            String index = required(row, "index", file);
            try {
                Long.parseLong(index);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(file, row.line(), "index " + index + " is not an integer");
            }
            imageCells.put(index, required(row, "image", file));
        }
        List<BenchmarkItem> out = new ArrayList<>();
        Map<String, Path> decoded = new HashMap<>();
        for (PandasTsv.Row row : rows) {
            String index = row.get("index");
            List<String> options = new ArrayList<>();
            for (String letter : LETTERS) {
                String o = row.get(letter);
                if (o == null) break;
                options.add(o);
            }
            for (int l = options.size(); l < LETTERS.size(); l++) {
                if (row.get(LETTERS.get(l)) != null) {
                    throw new InvalidInputException(file, row.line(), "option " + LETTERS.get(l) + " follows an empty "
                            + "option");
                }
            }
            String answer = required(row, "answer", file).trim();
            if (answer.length() != 1 || answer.charAt(0) - 'A' < 0 || answer.charAt(0) - 'A' >= options.size()) {
                throw new InvalidInputException(file, row.line(), "answer " + answer
                        + " is not one of the option letters");
            }
            Map<String, String> tags = new HashMap<>();
            if (row.get(CircularChoice.L2_CATEGORY) != null) {
                tags.put(CircularChoice.L2_CATEGORY, row.get(CircularChoice.L2_CATEGORY));
            }
            Path image = image(index, imageCells, imageRoot, scratch, decoded, file, row.line());
            out.add(new BenchmarkItem(index, image, List.of(required(row, "question", file)), answer, options,
                    row.get("hint"), row.get("category"), List.of(), tags));
        }
        out.sort(Comparator.comparingLong((BenchmarkItem i) -> CircularChoice.group(i.id()))
                .thenComparingLong(i -> Long.parseLong(i.id())));
        return out;
    }

    private static Path image(String index, Map<String, String> cells, Path imageRoot, Path scratch,
                              Map<String, Path> decoded, Path file, long line) {
        String cell = cells.get(index);
        String owner = index;
        if (cell.length() <= REFERENCE_MAX && cells.containsKey(cell.trim()) && !cell.trim().equals(index)) {
            owner = cell.trim();
            cell = cells.get(owner);
        }
        if (imageRoot != null && cell.length() < 512) {
            Path asPath = imageRoot.resolve(cell).normalize();
            if (asPath.startsWith(imageRoot.normalize()) && Files.isRegularFile(asPath)) return asPath;
        }
        Path known = decoded.get(owner);
        if (known != null) return known;
        try {
            byte[] bytes = Base64.getMimeDecoder().decode(cell.trim());
            if (bytes.length == 0) throw new IllegalArgumentException("empty");
            Files.createDirectories(scratch);
            Path image = scratch.resolve("mmbench-" + owner + ".png");
            Files.write(image, bytes);
            decoded.put(owner, image);
            return image;
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(file, line, "image is neither base64, a file under the image root, nor "
                    + "the index of another row");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(PandasTsv.Row row, String column, Path file) {
        String v = row.get(column);
        if (v == null) throw new InvalidInputException(file, row.line(), "missing " + column);
        return v;
    }
}
