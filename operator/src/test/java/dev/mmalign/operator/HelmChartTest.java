package dev.mmalign.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Helm chart agrees with the repository (CRDs) and with the code (RBAC). helm lint/template: helm-check.sh. */
class HelmChartTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The repository root: the nearest folder above the working directory holding crds/ and helm/. */
    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isDirectory(p.resolve("crds")) && Files.isDirectory(p.resolve("helm")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("no repository root (with crds/ and helm/) above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    /** Guards that the chart ships exactly the generated CRDs of crds/ (same files, same bytes). */
    @Test
    void chartCrdsAreIdenticalCopiesOfTheRepositoryCrds() throws IOException {
        Path root = repoRoot();
        List<Path> repo = files(root.resolve("crds"));
        List<Path> chart = files(root.resolve("helm/mmalign/crds"));
        assertFalse(repo.isEmpty(), "crds/ is empty");
        assertEquals(repo.stream().map(p -> p.getFileName().toString()).toList(),
                chart.stream().map(p -> p.getFileName().toString()).toList(),
                "helm/mmalign/crds must hold the files of crds/: cp crds/*.yml helm/mmalign/crds/");
        for (int i = 0; i < repo.size(); i++) {
            assertArrayEquals(Files.readAllBytes(repo.get(i)), Files.readAllBytes(chart.get(i)),
                    chart.get(i) + " differs from " + repo.get(i) + ": cp crds/*.yml helm/mmalign/crds/");
        }
    }

    /** Guards least privilege: the chart's rules grant exactly OperatorPermissions (which the integration tests check
     * against every request the operator makes), and the RBAC template takes its rules from that file only. */
    @Test
    void chartRbacGrantsExactlyWhatTheOperatorUses() throws IOException {
        Path chart = repoRoot().resolve("helm/mmalign");
        JsonNode rules = YAML.readTree(chart.resolve("files/operator-rules.yaml").toFile());
        Set<String> granted = new TreeSet<>();
        for (JsonNode rule : rules) {
            assertFalse(rule.has("resourceNames") || rule.has("nonResourceURLs"), rule.toString());
            for (JsonNode g : rule.get("apiGroups")) {
                for (JsonNode r : rule.get("resources")) {
                    for (JsonNode v : rule.get("verbs")) {
                        assertFalse(v.asText().equals("*") || r.asText().equals("*") || g.asText().equals("*"),
                                "no wildcards: " + rule);
                        granted.add(g.asText() + "|" + r.asText() + "|" + v.asText());
                    }
                }
            }
        }
        Set<String> used = new TreeSet<>();
        for (OperatorPermissions.Rule r : OperatorPermissions.RULES) {
            r.resources().forEach(res -> r.verbs().forEach(v -> used.add(r.apiGroup() + "|" + res + "|" + v)));
        }
        assertEquals(used, granted);

        String template = Files.readString(chart.resolve("templates/rbac.yaml"));
        assertTrue(template.contains(".Files.Get \"files/operator-rules.yaml\""), "rules come from the file");
        try (Stream<Path> s = Files.list(chart.resolve("templates"))) {
            for (Path t : s.toList()) {
                assertFalse(Files.readString(t).contains("apiGroups"), t + " must not add its own rules");
            }
        }
    }
}
