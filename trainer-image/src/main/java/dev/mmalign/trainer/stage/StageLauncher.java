package dev.mmalign.trainer.stage;

import dev.mmalign.api.stage.StageName;

import java.nio.file.Path;
import java.util.Map;

/**
 * Runs a stage the way a pod does: with the process environment and a SIGTERM handler ({@link ShutdownStop}) that asks
 * the stage to stop after the unit in hand and waits (bounded) until the result is written, inside the pod's grace
 * period.
 *
 * <p>Exit code after a SIGTERM: the stage's own (a JVM that shuts down on a signal would otherwise always exit 143):
 * 143 when it stopped early (outcome interrupted), 0 when its work was done anyway (the signal came during the last
 * unit), 2 or 3 for a permanent failure — so that the Job judges the pod by what the stage did.
 */
public final class StageLauncher {

    private StageLauncher() {}

    public static int launch(StageName name, Path specFile, StageRunner.Stage stage, Map<String, String> env) {
        StopSignal stop = new StopSignal();
        try (ShutdownStop onSignal = ShutdownStop.install(name.name(), stop)) {
            int code = new StageRunner(env, System.err, stop).run(name, specFile, stage);
            onSignal.finished(code);
            return code;
        }
    }
}
