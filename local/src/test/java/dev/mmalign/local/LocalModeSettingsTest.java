package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Guards that local mode's operator runs with the JIT and collector flags of the operator's image
 * ({@code operator/src/main/docker/Dockerfile.jvm}, as operator-bench reads them): the flags are written in both
 * places, and a change to the image's must reach local mode too.
 */
class LocalModeSettingsTest {

    @Test
    void localOperatorFlagsAreTheImages() throws Exception {
        List<String> image = OperatorBench.jvmOptions(TestPaths.repoRoot());
        for (String flag : LocalModeSettings.operatorJvmOptions()) {
            assertTrue(image.contains(flag), flag + " is not among the image's flags " + image);
        }
    }
}
