package dev.mmalign.trainer.judge;

import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.DataImages;
import dev.mmalign.trainer.data.PromptRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Resolves, checks and reads a prompt's image; a bad image is invalid input naming the prompts file and line. */
public final class ImageFiles {

    private ImageFiles() {}

    /** The prompt's image inside the claim, checked to decode under the size limits; null for a text prompt. */
    public static Path resolve(ClaimPaths claim, Path imageRoot, PromptRecord prompt, Path promptsFile, long line) {
        if (!prompt.hasImage()) {
            return null;
        }
        return DataImages.checked(claim, imageRoot, prompt.image(), promptsFile, line, "prompt " + prompt.id());
    }

    public static byte[] read(Path image) {
        try {
            return Files.readAllBytes(image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + image, e);
        }
    }

    public static String mimeType(Path image) {
        String name = image.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) return "image/jpeg";
        if (name.endsWith(".webp")) return "image/webp";
        if (name.endsWith(".gif")) return "image/gif";
        return "image/png";
    }
}
