package dev.mmalign.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Stands in for {@code mmalign-trainer quickstart --prepare-only --out DIR [options]} in {@link ClaimPreparerStopTest}
 * (packed alone into a jar, so JDK classes only). Like the trainer it works in {@code DIR/.quickstart}, keeps its
 * work there ({@code partial}) and notices it on a rerun ({@code resumed}). {@code --block} waits until a signal ends it,
 * recording that its shutdown hook ran ({@code stopped-cleanly}: SIGTERM, not SIGKILL); {@code --make PATH} (repeated)
 * creates the claim's pieces and exits 0.
 */
public final class FakePrepareTrainer {

    private FakePrepareTrainer() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[3]);
        Path work = out.resolve(".quickstart");
        Files.createDirectories(work);
        boolean block = false;
        for (int i = 4; i < args.length; i++) {
            if (args[i].equals("--block")) {
                block = true;
            } else if (args[i].equals("--make")) {
                Path piece = out.resolve(args[++i]);
                Files.createDirectories(piece.getParent());
                Files.writeString(piece, "made\n");
            }
        }
        if (Files.exists(work.resolve("partial"))) {
            Files.writeString(work.resolve("resumed"), "found the earlier work\n");
        }
        if (block) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Files.writeString(work.resolve("stopped-cleanly"), "work kept\n");
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        Files.writeString(work.resolve("partial"), "step 1\n");
        // Written last and atomically: once the test sees it, the hook is in place.
        Path tmp = work.resolve("pid.tmp");
        Files.writeString(tmp, Long.toString(ProcessHandle.current().pid()));
        Files.move(tmp, work.resolve("pid"), StandardCopyOption.ATOMIC_MOVE);
        if (block) {
            Thread.currentThread().join(); // until a signal ends the JVM
        }
    }
}
