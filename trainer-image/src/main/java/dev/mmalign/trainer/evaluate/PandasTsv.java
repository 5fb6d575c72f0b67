package dev.mmalign.trainer.evaluate;

import dev.mmalign.trainer.data.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tab-separated file read the way pandas writes and reads it ({@code to_csv(sep='\t')} / {@code read_csv(sep='\t')},
 * the form of the MMBench TSVs): a cell holding a tab, a newline or a quote is quoted with {@code "}, a quote inside
 * it doubled; a quoted cell may span lines. Cells pandas reads as missing (empty, {@code nan}, {@code NaN},
 * {@code None}, {@code NA}, ... — its default {@code na_values}) come back as null.
 */
final class PandasTsv {

    /** pandas' default na_values (pandas/_libs/parsers.pyx STR_NA_VALUES). */
    private static final Set<String> NA = Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
            "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null");

    /** One data row: its cells by column name (null where missing) and the file line it starts on. */
    record Row(Map<String, String> cells, long line) {
        String get(String column) {
            return cells.get(column);
        }
    }

    private PandasTsv() {}

    static List<Row> read(Path file) {
        return read(file, '\t', "a TSV benchmark file");
    }

    /** The same rules with another separator: pandas' {@code to_csv()} / {@code read_csv()} use a comma. */
    static List<Row> read(Path file, char separator, String what) {
        String text = BenchmarkFiles.read(file, BenchmarkFiles.MAX_TSV_BYTES, what);
        if (text.startsWith("\uFEFF")) text = text.substring(1); // a UTF-8 byte-order mark, as pandas drops it
        List<List<String>> records = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        parse(text, separator, file, records, starts);
        if (records.isEmpty()) throw new InvalidInputException(file, "empty file");
        List<String> header = records.get(0);
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            List<String> cells = records.get(r);
            if (cells.size() == 1 && cells.get(0).isEmpty()) continue;
            if (cells.size() != header.size()) {
                throw new InvalidInputException(file, starts.get(r), "expected " + header.size() + " columns, found "
                        + cells.size());
            }
            Map<String, String> byName = new HashMap<>();
            for (int c = 0; c < cells.size(); c++) {
                byName.put(header.get(c), NA.contains(cells.get(c)) ? null : cells.get(c));
            }
            rows.add(new Row(byName, starts.get(r)));
        }
        return rows;
    }

    private static void parse(String text, char separator, Path file, List<List<String>> records, List<Long> starts) {
        List<String> record = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        long line = 1;
        long recordStart = 1;
        boolean quoted = false;
        boolean cellStart = true;
        int i = 0;
        int recordStartIndex = 0;
        int n = text.length();
        while (i < n) {
            if (i - recordStartIndex > BenchmarkFiles.MAX_TSV_ROW_CHARS) {
                throw new InvalidInputException(file, recordStart, "row is longer than "
                        + BenchmarkFiles.MAX_TSV_ROW_CHARS + " characters");
            }
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    if (c == '\n') line++;
                    cell.append(c);
                }
                i++;
                continue;
            }
            if (c == '"' && cellStart) {
                quoted = true;
                cellStart = false;
            } else if (c == separator) {
                record.add(cell.toString());
                cell.setLength(0);
                cellStart = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                record.add(cell.toString());
                cell.setLength(0);
                records.add(record);
                starts.add(recordStart);
                record = new ArrayList<>();
                cellStart = true;
                line++;
                recordStart = line;
                recordStartIndex = i + 1;
            } else {
                cell.append(c);
                cellStart = false;
            }
            i++;
        }
        if (quoted) throw new InvalidInputException(file, recordStart, "quoted cell is never closed");
        if (!cellStart || !record.isEmpty() || cell.length() > 0) {
            record.add(cell.toString());
            records.add(record);
            starts.add(recordStart);
        }
    }
}
