package dev.mmalign.api.stage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.api.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Guards that QuickstartClaim and the quickstart manifests agree: every claim path the manifests read is one the
 * prepared claim holds, and every path of the claim is read by some manifest.
 */
class QuickstartClaimTest {

    private static final Pattern CLAIM_PATH = Pattern.compile("\\b(?:synthetic|models)/[\\w./-]+");
    private static final List<String> PATHS = List.of(QuickstartClaim.IMAGES, QuickstartClaim.PROMPTS,
            QuickstartClaim.POPE, QuickstartClaim.MMBENCH, QuickstartClaim.TEXT_ONLY, QuickstartClaim.HUMAN_RATINGS,
            QuickstartClaim.LANGUAGE_MODEL,
            QuickstartClaim.BASE_MODEL);

    @Test
    void manifestsReadExactlyThePathsOfAPreparedClaim() throws Exception {
        StringBuilder manifests = new StringBuilder();
        try (Stream<Path> files = Files.list(RepoPaths.examples().resolve("quickstart"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                manifests.append(Files.readString(f)).append('\n');
            }
        }
        Matcher m = CLAIM_PATH.matcher(manifests);
        while (m.find()) {
            assertTrue(PATHS.contains(m.group()), "manifest path " + m.group() + " is not part of QuickstartClaim");
        }
        for (String path : PATHS) {
            assertTrue(manifests.toString().contains(path), path + " is read by no quickstart manifest");
        }
    }
}
