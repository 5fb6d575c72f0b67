package dev.mmalign.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Operator-wide settings (application.properties, or env vars such as MMALIGN_TRAINER_IMAGE in the Deployment). */
@ConfigMapping(prefix = "mmalign")
public interface OperatorSettings {

    Trainer trainer();

    Progress progress();

    LeaderElection leaderElection();

    /** How often a resource waiting on another (dataset, base run, evaluated runs) is looked at again, as a safety net
     * next to the watches that normally wake it. */
    @WithDefault("30s")
    Duration waitRecheckInterval();

    interface Trainer {
        /** Image of every stage pod (the trainer). */
        @WithDefault("ghcr.io/mmalign/mmalign-trainer:0.1.0")
        String image();

        @WithDefault("IfNotPresent")
        String imagePullPolicy();

        /** Numeric non-root user the trainer image runs as (runAsNonRoot needs a number to check). */
        @WithDefault("1000")
        long runAsUser();

        /**
         * Whether stage pods whose resource names no {@code resources.priorityClassName} get their stage's
         * PriorityClass ({@link dev.mmalign.api.stage.StagePriority}). Off unless the classes exist: a pod naming a
         * missing class is refused by the API server. The Helm chart ships them and turns this on.
         */
        @WithDefault("false")
        boolean stagePriorityClasses();
    }

    interface LeaderElection {
        /** Name of the coordination.k8s.io Lease in the operator's namespace. */
        @WithDefault("mmalign-operator-lock")
        String leaseName();
    }

    interface Progress {
        /** Least seconds between two progress reports of a stage pod. */
        @WithDefault("10")
        int intervalSeconds();
    }
}
