package dev.mmalign.trainer.engine.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guards preemption handling: a real SIGTERM to a training process leaves a complete checkpoint behind. */
class SigtermTest {
    @TempDir Path dir;

    @Test
    void sigtermSavesACheckpointBeforeTheProcessExits() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1", SigtermProbe.class.getName(), dir.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.equals("step 5")) {
                    // Exactly what Kubernetes does on preemption. (Process.destroy would also close our pipe.)
                    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = String.join("\n", lines);
        // No assertion on what the probe prints after train() returns: the shutdown hook lets the JVM halt as soon as
        // the loop has saved its checkpoint, so such a line races with the exit (the train stage has its own hook
        // that waits for the stage result instead). What matters is the checkpoint on disk.
        Path ckpt = Checkpoints.latest(dir.resolve("run")).orElseThrow(() -> new AssertionError("no checkpoint\n" + out));
        int step = Integer.parseInt(ckpt.getFileName().toString().substring("checkpoint-".length()));
        assertTrue(step >= 5, "checkpoint at step " + step);
    }
}
