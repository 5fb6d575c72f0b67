package dev.mmalign.local;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the folder holding crds/) from wherever Maven runs the tests. */
final class TestPaths {

    private TestPaths() {
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isDirectory(p.resolve("crds")) && Files.isDirectory(p.resolve("operator"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("repository root (with crds/) not found above " + Path.of("").toAbsolutePath());
    }
}
