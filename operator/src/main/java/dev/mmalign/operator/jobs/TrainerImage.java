package dev.mmalign.operator.jobs;

import dev.mmalign.operator.OperatorSettings;

/** The stage pods' image and the user it runs as. */
public record TrainerImage(String image, String pullPolicy, long runAsUser) {

    public static TrainerImage from(OperatorSettings settings) {
        return new TrainerImage(settings.trainer().image(), settings.trainer().imagePullPolicy(),
                settings.trainer().runAsUser());
    }
}
