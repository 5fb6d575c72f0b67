package dev.mmalign.trainer.data;

import dev.mmalign.api.stage.ArtifactLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The shard files of one kind in a folder, e.g. completions-00000-of-00004.jsonl ... */
public final class ShardFiles {

    private ShardFiles() {}

    /** This shard's file of kind {@code prefix} in {@code folder}. */
    public static Path of(Path folder, String prefix, int index, int count) {
        return folder.resolve(ArtifactLayout.shardFile(prefix, index, count, "jsonl"));
    }

    /**
     * Every shard file of kind {@code prefix} in {@code folder}, sorted by name. Files of earlier runs with a different
     * shard count are included too: records are keyed by id, so readers drop the duplicates.
     */
    public static List<Path> list(Path folder, String prefix) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        Pattern name = Pattern.compile(Pattern.quote(prefix) + "-\\d{5}-of-\\d{5}\\.jsonl");
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> name.matcher(f.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder, e);
        }
    }
}
