package dev.mmalign.trainer.engine.train;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Child process for DeterminismTest (and a by-hand reproduction loop): trains {@code sft}, {@code dpo} or
 * {@code both} from seed 11, {@code repeats} times in this JVM, printing every step's exact bits.
 * Usage: {@code DeterminismProbe <workDir> <sft|dpo|both> [repeats]}.
 */
public final class DeterminismProbe {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String what = args[1];
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        for (int r = 0; r < repeats; r++) {
            Path run = Files.createDirectories(dir.resolve("run-" + r));
            if (!what.equals("dpo")) {
                print(r, TrainingTrace.sft(run, 11));
            }
            if (!what.equals("sft")) {
                print(r, TrainingTrace.dpo(run, 11));
            }
        }
    }

    private static void print(int repeat, TrainingTrace t) {
        for (String line : t.lines()) {
            System.out.println("rep " + repeat + " " + line);
        }
        System.out.flush();
    }
}
