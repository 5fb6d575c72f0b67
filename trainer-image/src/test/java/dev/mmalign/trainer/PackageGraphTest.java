package dev.mmalign.trainer;

import dev.mmalign.trainer.cli.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The layering of the trainer's packages, read from the compiled classes by the JDK's {@code jdeps}: no cycle between
 * {@code dev.mmalign.trainer.*} packages, and the engine at the bottom, knowing nothing of stages or commands.
 */
class PackageGraphTest {

    private static final String ROOT = "dev.mmalign.trainer";
    /** jdeps -verbose:package prints one "  from -> to  archive" line per package dependency. */
    private static final Pattern EDGE = Pattern.compile(
            "^\\s+(" + Pattern.quote(ROOT) + "(?:\\.[\\w.]+)?)\\s+->\\s+(" + Pattern.quote(ROOT) + "(?:\\.[\\w.]+)?)\\s");
    private static final Set<String> ABOVE_ENGINE = Set.of("stage", "sample", "annotate", "judge", "net", "build",
            "train", "evaluate", "cli", "quickstart", "report");

    private static Map<String, Set<String>> graph;

    @BeforeAll
    static void readGraph() throws Exception {
        // target/classes under surefire, the jar when run from a packaged build: jdeps reads either.
        Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        graph = packageGraph(classes);
    }

    @Test
    void theGraphIsReadFromTheClasses() {
        // Guards the two tests below against passing on an empty graph (say, jdeps changing its output format).
        assertTrue(graph.getOrDefault(ROOT + ".cli", Set.of()).contains(ROOT + ".stage"), graph.toString());
        assertTrue(graph.getOrDefault(ROOT + ".train", Set.of()).contains(ROOT + ".engine.train"), graph.toString());
    }

    @Test
    void noCycleBetweenTrainerPackages() {
        List<String> cycle = findCycle(graph);
        assertEquals(List.of(), cycle, "package cycle: " + String.join(" -> ", cycle));
    }

    @Test
    void stagesShareTheJudgeThroughItsOwnPackageNotThroughAnnotate() {
        // evaluate and sample call the judge (and sample its endpoint, with net's rate limit and backoff) through
        // the judge and net packages, which annotate uses too.
        for (String stage : List.of("evaluate", "sample", "annotate")) {
            Set<String> uses = graph.getOrDefault(ROOT + "." + stage, Set.of());
            assertTrue(uses.contains(ROOT + ".judge"), stage + " uses " + uses);
            assertFalse(uses.contains(ROOT + ".annotate"), stage + " uses " + uses);
        }
        assertTrue(graph.getOrDefault(ROOT + ".sample", Set.of()).contains(ROOT + ".net"));
    }

    @Test
    void theEngineKnowsNothingOfStagesOrCommands() {
        List<String> upward = new ArrayList<>();
        graph.forEach((from, targets) -> {
            if (from.equals(ROOT + ".engine") || from.startsWith(ROOT + ".engine.")) {
                for (String to : targets) {
                    String top = to.equals(ROOT) ? "" : to.substring(ROOT.length() + 1).split("\\.")[0];
                    if (ABOVE_ENGINE.contains(top)) {
                        upward.add(from + " -> " + to);
                    }
                }
            }
        });
        assertEquals(List.of(), upward);
    }

    /** Package → the trainer packages it uses (itself left out), as jdeps reports them for {@code classes}. */
    static Map<String, Set<String>> packageGraph(Path classes) throws IOException, InterruptedException {
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        assertTrue(Files.isExecutable(jdeps), "no jdeps in the running JDK: " + jdeps);
        Process p = new ProcessBuilder(jdeps.toString(), "-verbose:package", classes.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("jdeps failed on " + classes + ":\n" + out);
        }
        Map<String, Set<String>> edges = new TreeMap<>();
        for (String line : out.split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && !m.group(1).equals(m.group(2))) {
                edges.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return edges;
    }

    /** One cycle (its packages in order, the first repeated at the end), or an empty list when there is none. */
    static List<String> findCycle(Map<String, Set<String>> edges) {
        Map<String, Integer> state = new HashMap<>(); // absent: unvisited, 1: on the current path, 2: done
        for (String start : edges.keySet()) {
            Deque<String> path = new ArrayDeque<>();
            List<String> cycle = visit(start, edges, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String node, Map<String, Set<String>> edges, Map<String, Integer> state,
            Deque<String> path) {
        Integer seen = state.get(node);
        if (seen != null && seen == 2) {
            return List.of();
        }
        if (seen != null) { // on the current path: the path from its first appearance is the cycle
            List<String> onPath = new ArrayList<>(path);
            List<String> cycle = new ArrayList<>(onPath.subList(onPath.indexOf(node), onPath.size()));
            cycle.add(node);
            return cycle;
        }
        state.put(node, 1);
        path.addLast(node);
        for (String next : edges.getOrDefault(node, Set.of())) {
            List<String> cycle = visit(next, edges, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.removeLast();
        state.put(node, 2);
        return List.of();
    }
}
