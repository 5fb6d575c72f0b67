package dev.mmalign.operator.jobs;

import dev.mmalign.operator.OperatorSettings;

/**
 * The stage pods' image, the user it runs as, and whether pods without a PriorityClass of their own get their
 * stage's ({@link dev.mmalign.api.stage.StagePriority}).
 */
public record TrainerImage(String image, String pullPolicy, long runAsUser, boolean stagePriorityClasses) {

    /** Without stage PriorityClasses. */
    public TrainerImage(String image, String pullPolicy, long runAsUser) {
        this(image, pullPolicy, runAsUser, false);
    }

    public static TrainerImage from(OperatorSettings settings) {
        return new TrainerImage(settings.trainer().image(), settings.trainer().imagePullPolicy(),
                settings.trainer().runAsUser(), settings.trainer().stagePriorityClasses());
    }
}
