package dev.mmalign.trainer.quickstart;

import dev.mmalign.api.stage.ArtifactLayout;
import dev.mmalign.api.stage.QuickstartClaim;
import dev.mmalign.trainer.data.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The storage layout the manifests of {@code examples/quickstart} expect on their claim, and how the quickstart's own
 * folder maps onto it. {@code quickstart --prepare-only --out DIR} prepares the world and the tuned tiny base in
 * {@code DIR/.quickstart} and then lays them out here, so that DIR is a ready claim for local mode or a cluster PVC.
 */
final class ClaimLayout {

    /** Quickstart's own path (relative to its folder) → the path the manifests read (relative to the claim). */
    static final Map<String, String> PIECES = pieces();

    /** The quickstart's working folder inside a prepared claim (keeps its specs and logs; a rerun resumes it). */
    static final String WORK = ".quickstart";

    private ClaimLayout() {}

    private static Map<String, String> pieces() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(QuickstartSpecs.IMAGES, QuickstartClaim.IMAGES);
        m.put(QuickstartSpecs.PREF_PROMPTS, QuickstartClaim.PROMPTS);
        m.put(QuickstartSpecs.POPE, QuickstartClaim.POPE);
        m.put(QuickstartSpecs.MMBENCH, QuickstartClaim.MMBENCH);
        m.put(QuickstartSpecs.TEXT_ONLY, QuickstartClaim.TEXT_ONLY);
        m.put(ArtifactLayout.runMerged(QuickstartSpecs.LM), QuickstartClaim.LANGUAGE_MODEL);
        // Last: its config.json is what a reader takes as "the claim is prepared".
        m.put(ArtifactLayout.runMerged(QuickstartSpecs.BASE), QuickstartClaim.BASE_MODEL);
        return java.util.Collections.unmodifiableMap(m); // keeps the order: the base model is exported last
    }

    /** Whether every piece is in place under {@code claim}. */
    static boolean complete(Path claim) {
        return QuickstartClaim.REQUIRED.stream().allMatch(p -> Files.exists(claim.resolve(p)));
    }

    /**
     * Copies each piece from the quickstart folder {@code work} to its place under {@code claim}; a piece goes to a
     * temporary sibling first and is renamed into place, so a half-copied piece is never taken for a finished one.
     */
    static void export(Path work, Path claim) throws IOException {
        for (Map.Entry<String, String> piece : PIECES.entrySet()) {
            Path to = claim.resolve(piece.getValue());
            if (Files.exists(to)) continue;
            Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
            AtomicFiles.deleteTree(tmp);
            copyTree(work.resolve(piece.getKey()), tmp);
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            throw new IOException("quickstart did not produce " + from);
        }
        Files.createDirectories(to.getParent());
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
