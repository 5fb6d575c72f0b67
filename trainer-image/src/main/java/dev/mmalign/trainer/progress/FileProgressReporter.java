package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Appends each report as a JSON line to a file (local mode, tests); the last line is the latest progress. */
public final class FileProgressReporter implements ProgressReporter {

    private static final Logger LOG = Logger.getLogger(FileProgressReporter.class.getName());

    private final Path file;

    public FileProgressReporter(Path file) {
        this.file = file;
    }

    @Override
    public synchronized void report(Progress progress) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, ProgressJson.line(progress) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write progress to " + file + ": " + e.getMessage());
        }
    }
}
