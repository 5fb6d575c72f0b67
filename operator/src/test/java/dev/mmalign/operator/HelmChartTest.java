package dev.mmalign.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mmalign.api.stage.StagePriority;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
     * against every request the operator makes), and the RBAC template takes its rules from the two files only. */
    @Test
    void chartRbacGrantsExactlyWhatTheOperatorUses() throws IOException {
        Path chart = repoRoot().resolve("helm/mmalign");
        assertEquals(triples(OperatorPermissions.RULES), granted(chart.resolve("files/operator-rules.yaml")));
        assertEquals(triples(OperatorPermissions.LEADER_ELECTION_RULES),
                granted(chart.resolve("files/leader-election-rules.yaml")));

        String template = Files.readString(chart.resolve("templates/rbac.yaml"));
        assertTrue(template.contains(".Files.Get \"files/operator-rules.yaml\""), "rules come from the file");
        try (Stream<Path> s = Files.list(chart.resolve("templates"))) {
            for (Path t : s.toList()) {
                assertFalse(Files.readString(t).contains("apiGroups"), t + " must not add its own rules");
            }
        }
    }

    /** Guards that the Lease is granted in the release namespace only: its rules are rendered into one Role there, and
     * never into the ClusterRole or the Roles of the watched namespaces. helm-check.sh checks the rendered output. */
    @Test
    void leaderElectionLeaseIsGrantedInTheReleaseNamespaceOnly() throws IOException {
        Path chart = repoRoot().resolve("helm/mmalign");
        String template = Files.readString(chart.resolve("templates/rbac.yaml"));
        String file = ".Files.Get \"files/leader-election-rules.yaml\"";
        assertEquals(1, template.split(java.util.regex.Pattern.quote(file), -1).length - 1,
                "leader-election rules rendered exactly once");
        String leaseRole = template.substring(template.lastIndexOf("kind: Role\n", template.indexOf(file)),
                template.indexOf(file));
        assertTrue(leaseRole.contains("namespace: {{ .Release.Namespace }}"), leaseRole);
        for (OperatorPermissions.Rule r : OperatorPermissions.RULES) {
            assertFalse(r.resources().contains("leases"), "leases are not granted where the resources live: " + r);
        }
    }

    /**
     * Guards the one list of stage PriorityClasses: the chart's files/priority-classes.yaml (which its template renders
     * and local mode installs) holds exactly {@link StagePriority}'s names and values, never preempting, and the
     * operator is told to use them only through stagePriorityClasses.use.
     */
    @Test
    void chartPriorityClassesAreTheStagePriorities() throws IOException {
        Path chart = repoRoot().resolve("helm/mmalign");
        Map<String, Integer> shipped = new TreeMap<>();
        try (var parser = YAML.getFactory().createParser(chart.resolve("files/priority-classes.yaml").toFile())) {
            for (JsonNode pc : YAML.readValues(parser, JsonNode.class).readAll()) {
                assertEquals("scheduling.k8s.io/v1", pc.path("apiVersion").asText());
                assertEquals("PriorityClass", pc.path("kind").asText());
                assertEquals("Never", pc.path("preemptionPolicy").asText(), pc.toString());
                assertFalse(pc.path("globalDefault").asBoolean(), pc.toString());
                shipped.put(pc.path("metadata").path("name").asText(), pc.path("value").asInt());
            }
        }
        Map<String, Integer> expected = new TreeMap<>();
        for (StagePriority p : StagePriority.values()) {
            expected.put(p.className(), p.value());
        }
        assertEquals(expected, shipped);
        assertTrue(Files.readString(chart.resolve("templates/priority-classes.yaml"))
                .contains(".Files.Get \"files/priority-classes.yaml\""));
        assertTrue(Files.readString(chart.resolve("templates/deployment.yaml"))
                .contains("MMALIGN_TRAINER_STAGE_PRIORITY_CLASSES"));
    }

    private static Set<String> triples(List<OperatorPermissions.Rule> rules) {
        Set<String> used = new TreeSet<>();
        for (OperatorPermissions.Rule r : rules) {
            r.resources().forEach(res -> r.verbs().forEach(v -> used.add(r.apiGroup() + "|" + res + "|" + v)));
        }
        return used;
    }

    private static Set<String> granted(Path rulesFile) throws IOException {
        JsonNode rules = YAML.readTree(rulesFile.toFile());
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
        return granted;
    }
}
