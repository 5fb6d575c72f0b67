package dev.mmalign.trainer.annotate;

import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.PromptRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Resolves and reads a prompt's image; a missing image is invalid input naming the prompts file and line. */
public final class ImageFiles {

    private ImageFiles() {}

    public static Path resolve(Path imageRoot, PromptRecord prompt, Path promptsFile, long line) {
        if (!prompt.hasImage()) {
            return null;
        }
        Path image = imageRoot.resolve(prompt.image()).normalize();
        if (!Files.isRegularFile(image)) {
            throw new InvalidInputException(promptsFile, line, "image " + prompt.image() + " of prompt " + prompt.id()
                    + " not found (looked at " + image + ")");
        }
        return image;
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
