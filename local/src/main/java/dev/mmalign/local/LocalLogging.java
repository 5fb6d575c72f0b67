package dev.mmalign.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Logging of the local command's own JVM (API server, Job executor, Fabric8 client; JBoss Logging and SLF4J both end
 * in java.util.logging here): everything to {@code <work dir>/local.log}, warnings also to the terminal, so that the
 * terminal shows the progress lines. The operator, a process of its own, logs to {@code operator.log}.
 */
final class LocalLogging {

    /** Held here: java.util.logging keeps loggers only weakly, and a collected one would lose its level. */
    private static final Logger VERSION_WARNINGS =
            Logger.getLogger("io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils");

    private LocalLogging() {
    }

    /** Replaces the root logger's handlers; returns the log file. */
    static Path toFile(Path workDir) throws IOException {
        Path file = workDir.resolve("local.log");
        Files.createDirectories(workDir);
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s [%3$s] %5$s%6$s%n");
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        FileHandler all = new FileHandler(file.toString(), true);
        all.setFormatter(new SimpleFormatter());
        all.setLevel(Level.ALL);
        ConsoleHandler warnings = new ConsoleHandler();
        warnings.setFormatter(new SimpleFormatter());
        warnings.setLevel(Level.WARNING);
        root.addHandler(all);
        root.addHandler(warnings);
        root.setLevel(Level.INFO);
        // "unstable version v1alpha1" warnings are noise for a user of local mode (the operator drops them too).
        VERSION_WARNINGS.setLevel(Level.SEVERE);
        return file;
    }
}
