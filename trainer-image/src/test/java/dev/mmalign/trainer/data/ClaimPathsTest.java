package dev.mmalign.trainer.data;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a path from a spec or a data file could leave the storage root is refused, naming where it came from. */
class ClaimPathsTest {

    @TempDir
    Path tmp;
    Path root;
    Path outside;
    ClaimPaths claim;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("claim"));
        outside = Files.createDirectories(tmp.resolve("other-user"));
        Files.writeString(outside.resolve("secret.txt"), "root:x:0:0:secret");
        Files.createDirectories(root.resolve("data/images"));
        Files.writeString(root.resolve("data/prompts.jsonl"), "{}");
        claim = new ClaimPaths(root);
    }

    private String refused(Path base, String path) {
        return assertThrows(InvalidInputException.class, () -> claim.resolve(base, path, "spec.json: prompts.path"))
                .getMessage();
    }

    @Test
    void pathsInsideTheRootResolve() {
        assertEquals(root.resolve("data/prompts.jsonl"), claim.resolve("data/prompts.jsonl", "f"));
        assertEquals(root.resolve("data/prompts.jsonl"), claim.resolve("data/images/../prompts.jsonl", "f"),
                "a .. that stays inside is fine");
        assertEquals(root.resolve("out/new/file"), claim.resolve("out/new/file", "f"), "outputs may not exist yet");
        assertEquals(root.resolve("data/prompts.jsonl"),
                claim.resolve(root.resolve("data/images"), "../prompts.jsonl", "f"), "relative to an image folder");
    }

    @Test
    void dotDotOutOfTheRootIsRefusedNamingTheField() {
        String message = refused(root, "../../../../etc/passwd");
        assertTrue(message.startsWith("spec.json: prompts.path: '../../../../etc/passwd' leaves the storage root"),
                message);
        refused(root.resolve("data/images"), "../../../other-user/secret.txt");
    }

    @Test
    void absolutePathsAreRefused() {
        assertTrue(refused(root, outside.resolve("secret.txt").toString()).contains("is absolute"));
        assertTrue(refused(root, root.resolve("data/prompts.jsonl").toString()).contains("is absolute"),
                "even one that happens to point inside: spec paths are relative by contract");
    }

    @Test
    void aSymlinkedFileOrFolderPointingOutsideIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("data/link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("data/linkdir"), outside);
        assertTrue(refused(root, "data/link.txt").contains("symbolic link"));
        assertTrue(refused(root, "data/linkdir/secret.txt").contains("symbolic link"));
        assertTrue(refused(root, "data/linkdir/not-yet/out.jsonl").contains("symbolic link"),
                "an output under a linked folder would be written outside");
    }

    @Test
    void aDanglingSymlinkIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("data/dangling"), outside.resolve("missing"));
        assertTrue(refused(root, "data/dangling").contains("symbolic link"));
    }

    @Test
    void aSymlinkThatStaysInsideIsFine() throws Exception {
        Files.createSymbolicLink(root.resolve("data/alias.jsonl"), root.resolve("data/prompts.jsonl"));
        assertEquals(root.resolve("data/alias.jsonl"), claim.resolve("data/alias.jsonl", "f"));
    }

    @Test
    void emptyAndInvalidPathsAreRefused() {
        assertTrue(refused(root, "").contains("path is empty"));
        assertTrue(refused(root, "a\u0000b").contains("is not a valid path"));
    }

    @Test
    void aHugePathIsCutInTheMessage() {
        String message = refused(root, "../" + "x".repeat(100_000));
        assertTrue(message.length() < 400, "message length " + message.length());
        assertTrue(message.contains("(100003 characters)"), message);
    }
}
