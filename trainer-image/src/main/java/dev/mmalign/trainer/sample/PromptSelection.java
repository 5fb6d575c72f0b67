package dev.mmalign.trainer.sample;

import dev.mmalign.api.dataset.PromptSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.DataImages;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.PromptFiles;
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
 * dataset's image root; every selected image must exist. Each source is read in its own format ({@link PromptFiles}),
 * as its authors publish it.
 */
public final class PromptSelection {

    private PromptSelection() {}

    /**
     * Every path (prompts files, image folders, each prompt's image) must stay inside the storage root, and every
     * image must decode under the size limits: a bad one is exit 2 naming the file and line, before any sampling.
     * Selecting nothing is an error too: a dataset of zero prompts would otherwise become Ready with empty sets.
     */
    public static List<PromptRecord> select(PromptsSpec spec, ClaimPaths claim, Path specFile) {
        if ((spec.path == null) == (spec.sources == null || spec.sources.isEmpty())) {
            throw new InvalidInputException(specFile, "prompts: set exactly one of path and sources");
        }
        long seed = spec.seed == null ? 0L : spec.seed;
        Path imageRoot = claim.resolve(spec.imageRoot == null ? "images" : spec.imageRoot,
                specFile + ": prompts.imageRoot");
        List<PromptRecord> all = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        List<PromptSource> sources = spec.sources != null ? spec.sources : List.of(singleSource(spec.path));
        for (int s = 0; s < sources.size(); s++) {
            PromptSource source = sources.get(s);
            String field = spec.sources != null ? "prompts.sources[" + s + "]." : "prompts.";
            Path file = claim.resolve(source.path, specFile + ": " + field + "path");
            Path sourceImages = source.imageRoot == null ? imageRoot
                    : claim.resolve(source.imageRoot, specFile + ": " + field + "imageRoot");
            Map<PromptRecord, String> whereOf = new HashMap<>();
            List<PromptRecord> records = new ArrayList<>();
            for (PromptFiles.Entry entry : PromptFiles.read(file, source.format)) {
                whereOf.put(entry.prompt(), entry.where());
                records.add(entry.prompt());
            }
            for (PromptRecord p : limit(records, source.limit, seed)) {
                String where = whereOf.get(p);
                if (!ids.add(p.id())) {
                    throw new InvalidInputException(where + ": duplicate prompt id " + p.id());
                }
                all.add(relocate(p, source, claim, sourceImages, imageRoot, where));
            }
        }
        List<PromptRecord> selected = limit(all, spec.limit, seed);
        if (selected.isEmpty()) {
            throw new InvalidInputException(specFile, "prompts: no prompts selected (the prompts files hold no "
                    + "records, or the limits are 0)");
        }
        return selected;
    }

    private static PromptSource singleSource(String path) {
        PromptSource s = new PromptSource();
        s.path = path;
        return s;
    }

    private static PromptRecord relocate(PromptRecord p, PromptSource source, ClaimPaths claim, Path sourceImages,
                                         Path imageRoot, String where) {
        PromptRecord out = source.name != null && p.source() == null ? p.withSource(source.name) : p;
        if (!p.hasImage()) {
            return out;
        }
        Path image = DataImages.checked(claim, sourceImages, p.image(), where, "prompt " + p.id());
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
