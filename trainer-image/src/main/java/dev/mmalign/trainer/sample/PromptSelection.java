package dev.mmalign.trainer.sample;

import dev.mmalign.api.dataset.PromptSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.StableHash;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The prompts a dataset uses: one file, or a mix of sources each cut to its limit, then the total limit. Limits take
 * a seeded random subset (ranked by a hash of seed and id) and keep file order, so every shard computes the same
 * selection independently. Image paths of sources with their own image root are rewritten relative to the
 * dataset's image root; every selected image must exist.
 */
public final class PromptSelection {

    private PromptSelection() {}

    public static List<PromptRecord> select(PromptsSpec spec, Path storageRoot, Path specFile) {
        if ((spec.path == null) == (spec.sources == null || spec.sources.isEmpty())) {
            throw new InvalidInputException(specFile, "prompts: set exactly one of path and sources");
        }
        long seed = spec.seed == null ? 0L : spec.seed;
        Path imageRoot = storageRoot.resolve(spec.imageRoot == null ? "images" : spec.imageRoot).normalize();
        List<PromptRecord> all = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<PromptSource> sources = spec.sources != null ? spec.sources : List.of(singleSource(spec.path));
        for (PromptSource source : sources) {
            Path file = storageRoot.resolve(source.path).normalize();
            Path sourceImages = source.imageRoot == null ? imageRoot : storageRoot.resolve(source.imageRoot).normalize();
            List<JsonlReader.Line<PromptRecord>> lines = JsonlReader.readLines(file, PromptRecord.class,
                    PromptRecord::problem);
            Map<PromptRecord, Long> lineOf = new HashMap<>();
            List<PromptRecord> records = new ArrayList<>();
            for (JsonlReader.Line<PromptRecord> line : lines) {
                lineOf.put(line.value(), line.number());
                records.add(line.value());
            }
            for (PromptRecord p : limit(records, source.limit, seed)) {
                long line = lineOf.get(p);
                if (!ids.add(p.id())) {
                    throw new InvalidInputException(file, line, "duplicate prompt id " + p.id());
                }
                all.add(relocate(p, source, sourceImages, imageRoot, file, line));
            }
        }
        return limit(all, spec.limit, seed);
    }

    private static PromptSource singleSource(String path) {
        PromptSource s = new PromptSource();
        s.path = path;
        return s;
    }

    private static PromptRecord relocate(PromptRecord p, PromptSource source, Path sourceImages, Path imageRoot,
                                         Path file, long line) {
        PromptRecord out = source.name != null && p.source() == null ? p.withSource(source.name) : p;
        if (!p.hasImage()) {
            return out;
        }
        Path image = sourceImages.resolve(p.image()).normalize();
        if (!java.nio.file.Files.isRegularFile(image)) {
            throw new InvalidInputException(file, line, "image " + p.image() + " of prompt " + p.id()
                    + " not found (looked at " + image + ")");
        }
        String relative = imageRoot.relativize(image).toString();
        return new PromptRecord(out.id(), relative, out.question(), out.goldAnswer(), out.source(), out.truth());
    }

    /** At most {@code limit} records: the lowest hash ranks, in their original order. */
    static List<PromptRecord> limit(List<PromptRecord> records, Integer limit, long seed) {
        if (limit == null || limit >= records.size()) {
            return records;
        }
        Set<String> keep = new HashSet<>();
        records.stream()
                .sorted(Comparator.comparingLong((PromptRecord p) -> StableHash.of(seed, p.id()))
                        .thenComparing(PromptRecord::id))
                .limit(limit)
                .forEach(p -> keep.add(p.id()));
        return records.stream().filter(p -> keep.contains(p.id())).toList();
    }
}
