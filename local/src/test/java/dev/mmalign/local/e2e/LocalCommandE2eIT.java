package dev.mmalign.local.e2e;

import dev.mmalign.api.bench.BenchmarkResult;
import dev.mmalign.api.bench.BenchmarkSuite;
import dev.mmalign.api.bench.SuitePhase;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.RunPhase;
import dev.mmalign.api.sweep.AlignmentSweep;
import dev.mmalign.api.sweep.SweepPhase;
import dev.mmalign.api.sweep.SweepTable;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local command as a user runs it ({@code java -jar mmalign-local.jar ... DIR}), on a reduced copy of
 * the quickstart (src/test/resources/e2e/pipeline: dataset, DPO and SFT runs, a suite of 3 models × 3 benchmarks, a
 * data-scaling sweep of 2 DPO runs).
 * Kept running ({@code --keep-running}) after the end so that the test can read the final status from its API server.
 */
class LocalCommandE2eIT {

    private static final Duration WHOLE_RUN = Duration.ofMinutes(20);

    /**
     * Guards the quickstart path end to end: apply → every resource Ready/Succeeded, with dataset counts, judge-human
     * agreement, training metrics and the suite's results (with deltas against the baseline) in status; the report
     * step merges without answering a question again and shows the dataset; the sweep's status tables and its
     * report's curves; the command prints progress
     * lines (the 2-shard sample stage's never going back), the results table and the report's path (which exists);
     * kubectl works against the server meanwhile.
     */
    @Test
    void manifestsGoFromApplyToResultsThroughTheLocalCommand() throws Exception {
        Path work = E2ePaths.workRoot().resolve("local-command");
        dev.mmalign.local.ClaimPreparer.deleteTree(work);
        WorldTemplate.copyTo(work.resolve("volumes/default/e2e-data"));
        int port = freePort();
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                E2ePaths.localJar().toString(), "--port", String.valueOf(port),
                "--work-dir", work.toString(), "--repo", E2ePaths.repoRoot().toString(), "--trainer-jar",
                E2ePaths.trainerJar().toString(), "--operator-app", E2ePaths.operatorApp().toString(), "--keep-running", "--timeout", String.valueOf(WHOLE_RUN.toMinutes()),
                E2ePaths.manifests("pipeline").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> readLines(p, out), "local-command-output");
        reader.setDaemon(true);
        reader.start();
        String url = "http://127.0.0.1:" + port;
        try {
            await("API server line").atMost(Duration.ofMinutes(2)).until(() -> has(out, "API server: " + url));
            await("a run training").atMost(WHOLE_RUN).until(() -> finished(p, out) || has(out, "Training"));
            List<String> kubectl = kubectl(url, work);
            if (!kubectl.isEmpty()) {
                assertTrue(String.join("\n", kubectl).contains("e2e-dpo"), "kubectl get lists the runs: " + kubectl);
            }
            await("all finished").atMost(WHOLE_RUN).until(() -> finished(p, out));
            assertTrue(has(out, "all finished"), "no failures:\n" + String.join("\n", out));

            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                    .withMasterUrl(url).withNamespace("default").withHttp2Disable(true).build()).build()) {
                PreferenceDataset d = client.resources(PreferenceDataset.class).withName("e2e").get();
                assertEquals(DatasetPhase.Ready, Statuses.phase(d));
                assertTrue(d.getStatus().counts.completions > 0, "completions counted");
                assertTrue(d.getStatus().counts.dpoPairs > 0, "DPO pairs built");
                for (String name : List.of("e2e-dpo", "e2e-sft-gold")) {
                    AlignmentRun r = client.resources(AlignmentRun.class).withName(name).get();
                    assertEquals(RunPhase.Succeeded, Statuses.phase(r), name);
                    assertNotNull(r.getStatus().metrics.loss, name + " loss");
                    assertNotNull(r.getStatus().output, name + " output");
                }
                BenchmarkSuite s = client.resources(BenchmarkSuite.class).withName("e2e-compare").get();
                assertEquals(SuitePhase.Succeeded, Statuses.phase(s));
                List<BenchmarkResult> results = s.getStatus().results;
                assertTrue(results.size() >= 9, "3 models x 3 benchmarks: " + results.size());
                assertTrue(results.stream().filter(r -> !"base".equals(r.model)).allMatch(r -> r.delta != null),
                        "deltas against the baseline");
                assertNotNull(d.getStatus().agreement, "judge-human agreement from the claim's human ratings");
                assertTrue(d.getStatus().agreement.get("helpfulness").n > 0, "responses compared");

                Path claim = work.resolve("volumes/default/e2e-data");
                assertFalse(Files.exists(claim.resolve("mmalign/suites/e2e-compare/samples")),
                        "the report step answered no question: it merged the models' own results");
                String report = Files.readString(claim.resolve(s.getStatus().reportPath));
                for (String id : List.of("dataset", "agreement", "samples")) {
                    assertTrue(report.contains("<section id=\"" + id + "\">"), "report section " + id);
                }
                assertFalse(report.contains("names no dataset"), "the suite's report found the runs' dataset");

                AlignmentSweep sweep = client.resources(AlignmentSweep.class).withName("e2e-scaling").get();
                // Kept for people: the sweep's status tables as the operator wrote them.
                Files.writeString(work.resolve("sweep-status.json"), io.fabric8.kubernetes.client.utils.Serialization
                        .asJson(sweep.getStatus()));
                assertEquals(SweepPhase.Succeeded, sweep.getStatus().phase, "the sweep ran end to end");
                SweepTable fractions = sweep.getStatus().tables.get(0);
                assertEquals("dataFraction", fractions.axis);
                assertEquals(List.of("0.5", "1"), fractions.rows.stream().map(r -> r.value).toList());
                assertTrue(fractions.rows.stream().allMatch(r -> r.runs == 1 && r.scores.containsKey("pope/f1")),
                        "a scored run per fraction");
                BenchmarkSuite sweepSuite = client.resources(BenchmarkSuite.class)
                        .withName(sweep.getStatus().benchmarkSuite).get();
                String sweepReport = Files.readString(claim.resolve(sweepSuite.getStatus().reportPath));
                assertTrue(sweepReport.contains("<h3 class=\"axis\" data-axis=\"dataFraction\">"),
                        "the sweep's report has its table and curves");
                assertTrue(sweepReport.contains("data-series=\"pope/f1\" data-points=\"2\""),
                        "the curve has a point per fraction");
            }
            String all = String.join("\n", out);
            List<Double> sampling = samplingPercents(out);
            for (int i = 1; i < sampling.size(); i++) {
                assertTrue(sampling.get(i) >= sampling.get(i - 1),
                        "the 2-shard sample stage's progress never goes back: " + sampling);
            }
            assertTrue(all.contains("BenchmarkSuite e2e-compare:"), "table printed");
            assertTrue(all.contains("sft-gold"), "table has the models");
            String report = out.stream().filter(l -> l.startsWith("report: ")).findFirst().orElseThrow()
                    .substring("report: ".length());
            assertTrue(Files.isRegularFile(Path.of(report)), "report exists: " + report);
        } finally {
            p.destroy();
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                p.destroyForcibly();
            }
            Files.write(work.resolve("local-output.txt"), out);
        }
    }

    /** The dataset's sample-stage percentages in the order the command printed them ("sample 10/36 prompts (28%)"). */
    private static List<Double> samplingPercents(List<String> out) {
        Pattern pct = Pattern.compile("PreferenceDataset/e2e .* sample [^(]*\\((\\d+)%\\)");
        List<Double> seen = new ArrayList<>();
        for (String line : out) {
            Matcher m = pct.matcher(line);
            if (m.find()) {
                seen.add(Double.parseDouble(m.group(1)));
            }
        }
        return seen;
    }

    private static boolean finished(Process p, List<String> out) {
        return !p.isAlive() || has(out, "all finished") || has(out, "finished, with failures")
                || has(out, "timed out") || has(out, "stopped: ");
    }

    private static boolean has(List<String> out, String text) {
        return out.stream().anyMatch(l -> l.contains(text));
    }

    private static void readLines(Process p, List<String> out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
                System.out.println("[local] " + line);
            }
        } catch (IOException e) {
            out.add("(output read failed: " + e + ")");
        }
    }

    /** kubectl get while it runs, kept in the work folder; empty when no kubectl is on the PATH. */
    private static List<String> kubectl(String url, Path work) throws Exception {
        Path bin = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(d -> Path.of(d, "kubectl")).filter(Files::isExecutable).findFirst().orElse(null);
        if (bin == null) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String what : List.of("mmalign", "jobs,pods")) {
            Process k = new ProcessBuilder(bin.toString(), "--server", url, "get", what).redirectErrorStream(true)
                    .start();
            lines.add("$ kubectl --server " + url + " get " + what);
            lines.addAll(new String(k.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            k.waitFor(1, TimeUnit.MINUTES);
        }
        Files.write(work.resolve("kubectl-get.txt"), lines);
        lines.forEach(l -> System.out.println("[kubectl] " + l));
        return lines;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
