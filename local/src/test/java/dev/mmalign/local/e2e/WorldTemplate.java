package dev.mmalign.local.e2e;

import dev.mmalign.local.ClaimPreparer;
import dev.mmalign.local.LocalModeSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A claim prepared once per test JVM the way the {@code local} command prepares one ({@link ClaimPreparer}: the
 * synthetic world + a tiny base model, in the layout of examples/quickstart), with a smaller world and a shorter base
 * training than the quickstart's defaults; each test gets a copy, so tests never see each other's outputs.
 */
final class WorldTemplate {

    /** Small but not degenerate: 36 preference prompts, a base that answers in words (a few DPO pairs). */
    static final List<String> OPTIONS = List.of("--vit-scenes", "10", "--prompts-scenes", "6", "--heldout-scenes", "4",
            "--text-train", "10", "--text-heldout", "6", "--lm-epochs", "1", "--vit-epochs", "2", "--epochs", "1");

    private static Path prepared;

    private WorldTemplate() {
    }

    static synchronized Path get() throws IOException, InterruptedException {
        if (prepared == null) {
            Path dir = E2ePaths.workRoot().resolve("world-template");
            Path claim = dir.resolve("claim");
            ClaimPreparer.deleteTree(dir.resolve("claim.preparing"));
            ClaimPreparer preparer = new ClaimPreparer(E2ePaths.trainerJar(), OPTIONS,
                    LocalModeSettings.podEnv("http://127.0.0.1:1", E2ePaths.repoRoot()), dir, System.out);
            assertTrue(preparer.prepareIfEmpty("e2e/template", claim), "world template prepared (see " + dir + ")");
            prepared = claim;
        }
        return prepared;
    }

    /** Copies the template's {@link ClaimPreparer#LAYOUT} into a claim folder (created), without the preparation's
     * own working folder (.quickstart). */
    static void copyTo(Path claimDir) throws IOException, InterruptedException {
        Path from = get();
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.filter(p -> !from.relativize(p).toString().startsWith(".")).toList()) {
                Path to = claimDir.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
