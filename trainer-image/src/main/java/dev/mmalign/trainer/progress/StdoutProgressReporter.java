package dev.mmalign.trainer.progress;

import dev.mmalign.api.common.Progress;

import java.io.PrintStream;

/** Prints each report as a JSON line, e.g. to the pod log. */
public final class StdoutProgressReporter implements ProgressReporter {

    private final PrintStream out;

    public StdoutProgressReporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void report(Progress progress) {
        out.println(ProgressJson.line(progress));
        out.flush();
    }
}
