package dev.mmalign.trainer.progress;

import dev.mmalign.api.stage.OwnerInfo;
import dev.mmalign.api.stage.ProgressReporting;
import dev.mmalign.api.stage.Shard;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.InvalidInputException;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** Builds the reporter a stage spec asks for, always throttled to the spec's interval. */
public final class ProgressReporters {

    private ProgressReporters() {}

    /** @param shard the stage's shard: a shard of several reports its part of the stage's progress */
    public static ProgressReporter create(ProgressReporting settings, OwnerInfo owner, Shard shard, Path storageRoot,
                                          Path specFile) {
        ProgressReporting s = settings == null ? new ProgressReporting() : settings;
        int seconds = s.intervalSeconds == null ? 10 : Math.max(0, s.intervalSeconds);
        ProgressReporter target = switch (s.mode == null ? ProgressReporting.Mode.stdout : s.mode) {
            case stdout -> new StdoutProgressReporter(System.out);
            case file -> {
                if (s.file == null || s.file.isBlank()) {
                    throw new InvalidInputException(specFile, "progress.mode file needs progress.file");
                }
                yield new FileProgressReporter(new ClaimPaths(storageRoot).resolve(s.file,
                        specFile + ": progress.file"));
            }
            case kubernetes -> {
                if (owner == null || owner.kind == null || owner.name == null || owner.namespace == null) {
                    throw new InvalidInputException(specFile, "progress.mode kubernetes needs owner kind, namespace, name");
                }
                // In a pod the builder picks up the service account token and the in-cluster API address.
                yield new KubernetesProgressReporter(new KubernetesClientBuilder().build(), owner,
                        shard == null ? new Shard() : shard);
            }
        };
        return new ThrottledProgressReporter(target, Duration.ofSeconds(seconds), Clock.systemUTC());
    }
}
