package dev.mmalign.trainer.annotate;

import dev.mmalign.api.dataset.AnnotationSpec;
import dev.mmalign.api.dataset.HelpSteerAttribute;
import dev.mmalign.api.stage.JudgeWiring;
import dev.mmalign.trainer.data.InvalidInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The labelling guide the judge gets as its system instruction. */
public final class LabellingGuide {

    private LabellingGuide() {}

    /**
     * The built-in HelpSteer guide, or the one from the spec's ConfigMap, whose file the operator mounts and names
     * in {@value JudgeWiring#ENV_GUIDE_FILE} ({@link JudgeWiring}).
     *
     * @param env      the stage's environment
     * @param specFile the stage spec, named in the error when the spec asks for a guide the pod was not given
     */
    public static String read(AnnotationSpec spec, List<HelpSteerAttribute> attributes, Map<String, String> env,
                              Path specFile) {
        if (spec.guide == null) {
            return HelpSteerGuide.text(attributes);
        }
        String notMounted = "labelling guide from ConfigMap " + spec.guide.configMapName + " is not mounted";
        String named = env.get(JudgeWiring.ENV_GUIDE_FILE);
        if (named == null || named.isBlank()) {
            throw new InvalidInputException(specFile, notMounted + " (" + JudgeWiring.ENV_GUIDE_FILE + " is unset)");
        }
        Path file = Path.of(named);
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file, notMounted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
