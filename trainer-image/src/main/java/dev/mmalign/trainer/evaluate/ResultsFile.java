package dev.mmalign.trainer.evaluate;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.mmalign.trainer.data.AtomicFiles;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.report.Section;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * results.json, {@code {"models":{"<name>":{"<benchmark>":{"<metric>":value}}}}}, shared by the evaluation pods of a
 * suite (one per model): each merges its model's scores in under a file lock and rewrites the file atomically, then
 * renders the HTML report from the merged table.
 */
public final class ResultsFile {

    /** model → benchmark → metric → value. */
    public record Table(Map<String, Map<String, Map<String, Double>>> models) {
        public Table {
            models = models == null ? new LinkedHashMap<>() : models;
        }
    }

    private ResultsFile() {}

    public static Table read(Path file) {
        if (!Files.exists(file)) return new Table(new LinkedHashMap<>());
        try {
            return Json.MAPPER.readValue(Files.readString(file), new TypeReference<Table>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Writes a whole table and the report from it (the suite's report step, the only writer of its files). */
    public static void write(Path file, Path report, Table table, List<Section> sections) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file.getParent(), e);
        }
        AtomicFiles.write(file, Json.pretty(table) + "\n");
        AtomicFiles.write(report, HtmlReport.render(table, sections));
    }

    /** Merges one model's scores into the file and the report beside it; returns the merged table. */
    public static Table merge(Path file, Path report, String model, Map<String, Map<String, Double>> scores) {
        return merge(file, report, model, scores, List.of());
    }

    /** As above, the report also showing {@code sections} after the results (training curves, dataset, ...). */
    public static Table merge(Path file, Path report, String model, Map<String, Map<String, Double>> scores,
                              List<Section> sections) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = channel.lock()) {
                Table table = read(file);
                table.models().computeIfAbsent(model, k -> new LinkedHashMap<>()).putAll(scores);
                AtomicFiles.write(file, Json.pretty(table) + "\n");
                AtomicFiles.write(report, HtmlReport.render(table, sections));
                return table;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + file, e);
        }
    }
}
