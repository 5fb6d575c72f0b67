package dev.mmalign.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the dataset files the stages share, validated, keyed by id and free of duplicates: the same record appearing
 * twice (a rerun after a crash, files of an earlier shard layout) is kept once, so nothing is double-counted.
 */
public final class DatasetReader {

    private DatasetReader() {}

    /**
     * Prompts by id in file order, with their line numbers; a repeated id is an error (it would be ambiguous), and
     * so is a file without prompts (it would make an empty dataset look done).
     */
    public static Map<String, JsonlReader.Line<PromptRecord>> prompts(Path file) {
        Map<String, JsonlReader.Line<PromptRecord>> out = new LinkedHashMap<>();
        for (JsonlReader.Line<PromptRecord> line : JsonlReader.readNonEmpty(file, PromptRecord.class,
                PromptRecord::problem)) {
            if (out.putIfAbsent(line.value().id(), line) != null) {
                throw new InvalidInputException(file, line.number(), "duplicate prompt id " + line.value().id()
                        + " (first on line " + out.get(line.value().id()).number() + ")");
            }
        }
        return out;
    }

    /** Completions of every shard file in {@code folder}, grouped by prompt id, each group in completion-id order. */
    public static Map<String, List<CompletionRecord>> completions(Path folder, Map<String, ?> knownPrompts) {
        Map<String, CompletionRecord> byId = new LinkedHashMap<>();
        for (Path file : ShardFiles.list(folder, "completions")) {
            for (JsonlReader.Line<CompletionRecord> line : JsonlReader.readLines(file, CompletionRecord.class,
                    CompletionRecord::problem)) {
                CompletionRecord c = line.value();
                if (!knownPrompts.containsKey(c.promptId())) {
                    throw new InvalidInputException(file, line.number(), "completion " + c.completionId()
                            + " refers to unknown prompt " + c.promptId());
                }
                byId.putIfAbsent(c.completionId(), c);
            }
        }
        if (byId.isEmpty()) {
            throw new InvalidInputException(folder, "holds no completions (no completions-*.jsonl shard files, or "
                    + "only empty ones)");
        }
        Map<String, List<CompletionRecord>> byPrompt = new LinkedHashMap<>();
        for (CompletionRecord c : byId.values()) {
            byPrompt.computeIfAbsent(c.promptId(), k -> new ArrayList<>()).add(c);
        }
        byPrompt.values().forEach(list -> list.sort(java.util.Comparator.comparing(CompletionRecord::completionId,
                DatasetReader::compareCompletionIds)));
        return byPrompt;
    }

    /** Annotations of every shard file in {@code folder}, by completion id (first record wins). */
    public static Map<String, AnnotationRecord> annotations(Path folder) {
        Map<String, AnnotationRecord> out = new LinkedHashMap<>();
        for (Path file : ShardFiles.list(folder, "annotations")) {
            for (AnnotationRecord a : JsonlReader.readAll(file, AnnotationRecord.class, AnnotationRecord::problem)) {
                out.putIfAbsent(a.completionId(), a);
            }
        }
        return out;
    }

    /** Orders "p#2" before "p#10": by the numeric suffix when both have one. */
    static int compareCompletionIds(String a, String b) {
        int ia = a.lastIndexOf('#');
        int ib = b.lastIndexOf('#');
        if (ia >= 0 && ib >= 0 && a.substring(0, ia).equals(b.substring(0, ib))) {
            try {
                return Integer.compare(Integer.parseInt(a.substring(ia + 1)), Integer.parseInt(b.substring(ib + 1)));
            } catch (NumberFormatException e) {
                // fall through to text order
            }
        }
        return a.compareTo(b);
    }
}
