package dev.mmalign.trainer.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Resolves a path that came from a stage spec or a data file so that it stays inside the storage root (the claim
 * the stage was given). Lexical escapes ({@code ..}, absolute paths) and symbolic links that point outside are
 * refused, because a spec or a prompts line written by one user must not read another user's files or the
 * container's (e.g. {@code ../../../../etc/passwd}). Errors name where the path came from (a spec field, or a data
 * file and line) and the path as written, cut short; never anything read from the file it points at.
 */
public final class ClaimPaths {

    /** Paths longer than this are cut in error messages (a data file may hold a path of any length). */
    private static final int SHOWN = 200;

    private final Path root;
    /** How errors call the root, e.g. "the storage root". */
    private final String rootName;

    public ClaimPaths(Path root) {
        this(root, "the storage root");
    }

    public ClaimPaths(Path root, String rootName) {
        this.root = root.toAbsolutePath().normalize();
        this.rootName = rootName;
    }

    public Path root() {
        return root;
    }

    /** {@code relative} against the storage root; {@code where} names the field, e.g. "spec.json: prompts.path". */
    public Path resolve(String relative, String where) {
        return resolve(root, relative, where);
    }

    /**
     * {@code relative} against {@code base} (itself inside the root, e.g. an image folder); the result must lie
     * inside the root. Throws {@link InvalidInputException} (exit code 2) naming {@code where}.
     */
    public Path resolve(Path base, String relative, String where) {
        if (relative == null || relative.isBlank()) {
            throw new InvalidInputException(where + ": path is empty");
        }
        Path given;
        try {
            given = Path.of(relative);
        } catch (InvalidPathException e) {
            throw new InvalidInputException(where + ": " + shown(relative) + " is not a valid path");
        }
        if (given.isAbsolute()) {
            throw new InvalidInputException(where + ": " + shown(relative) + " is absolute; paths are relative to "
                    + rootName);
        }
        Path candidate = base.toAbsolutePath().resolve(given).normalize();
        if (!candidate.startsWith(root)) {
            throw new InvalidInputException(where + ": " + shown(relative) + " leaves " + rootName);
        }
        if (!insideRealRoot(candidate)) {
            throw new InvalidInputException(where + ": " + shown(relative)
                    + " leads through a symbolic link out of " + rootName);
        }
        return candidate;
    }

    /**
     * The deepest part of {@code candidate} that exists, with every link followed, must be inside the root with
     * its links followed (a link inside the claim pointing inside it is fine). Not-yet-existing tails (outputs)
     * cannot point anywhere yet.
     */
    private boolean insideRealRoot(Path candidate) {
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (IOException e) {
            return true; // no root yet, so nothing under it exists and nothing can be a link
        }
        Path existing = candidate;
        while (existing != null && !Files.exists(existing)) {
            if (Files.isSymbolicLink(existing)) {
                return false; // a dangling link: where it would point is outside our control
            }
            existing = existing.getParent();
        }
        if (existing == null) {
            return false;
        }
        try {
            return existing.toRealPath().startsWith(realRoot);
        } catch (IOException e) {
            return false;
        }
    }

    public static String shown(String path) {
        return path.length() <= SHOWN ? "'" + path + "'" : "'" + path.substring(0, SHOWN) + "…' (" + path.length()
                + " characters)";
    }
}
