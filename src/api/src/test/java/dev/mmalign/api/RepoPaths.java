package dev.mmalign.api;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository root (the folder with the parent pom.xml and crds/) from wherever Maven runs the tests. */
public final class RepoPaths {

    private RepoPaths() {}

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("pom.xml")) && Files.isDirectory(p.resolve("src/api"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root not found above " + dir);
    }

    public static Path crds() {
        return root().resolve("crds");
    }

    public static Path examples() {
        return root().resolve("examples");
    }
}
