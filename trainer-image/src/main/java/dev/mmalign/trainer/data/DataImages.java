package dev.mmalign.trainer.data;

import dev.mmalign.trainer.engine.data.ImageDecoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An image named by a line of a data file: resolved inside the storage root ({@link ClaimPaths}) and decoded under
 * {@link ImageDecoder}'s limits before any model or judge sees it. A missing, empty, corrupt or oversized image is
 * invalid input (exit code 2) naming the data file, the line and the image: no retry can fix it, and finding it
 * before the first batch means no GPU time or judge money is spent on a run that would stop at that line.
 */
public final class DataImages {

    private DataImages() {}

    /** Resolves {@code image} against {@code imageRoot} inside the claim and checks that it decodes. */
    public static Path checked(ClaimPaths claim, Path imageRoot, String image, Path file, long line, String owner) {
        Path path = claim.resolve(imageRoot, image, file + ":" + line + ": image of " + owner);
        check(path, image, file, line, owner);
        return path;
    }

    /**
     * As {@link #checked(ClaimPaths, Path, String, Path, long, String)}, for a record located by {@code where}
     * ({@code file:line}, or {@code file[index]} for a record of a JSON array).
     */
    public static Path checked(ClaimPaths claim, Path imageRoot, String image, String where, String owner) {
        Path path = claim.resolve(imageRoot, image, where + ": image of " + owner);
        try {
            ImageDecoder.read(path);
        } catch (ImageDecoder.RejectedImageException e) {
            throw new InvalidInputException(where + ": image " + ClaimPaths.shown(image) + " of " + owner + " "
                    + e.getMessage() + " (looked at " + path + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return path;
    }

    /** Decodes {@code path} under the limits; the raster is dropped at once. {@code line} 0: name the file only. */
    public static void check(Path path, String image, Path file, long line, String owner) {
        try {
            ImageDecoder.read(path);
        } catch (ImageDecoder.RejectedImageException e) {
            String problem = "image " + ClaimPaths.shown(image) + " of " + owner + " " + e.getMessage()
                    + " (looked at " + path + ")";
            throw line > 0 ? new InvalidInputException(file, line, problem) : new InvalidInputException(file, problem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }
}
