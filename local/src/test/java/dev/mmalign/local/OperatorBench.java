package dev.mmalign.local;

import dev.mmalign.api.common.StageState;
import dev.mmalign.api.dataset.DatasetArtifacts;
import dev.mmalign.api.dataset.DatasetPhase;
import dev.mmalign.api.dataset.PreferenceDataset;
import dev.mmalign.api.dataset.PreferenceDatasetStatus;
import dev.mmalign.api.run.AlignmentRun;
import dev.mmalign.api.run.AlignmentRunSpec;
import dev.mmalign.api.run.DatasetRef;
import dev.mmalign.api.run.Method;
import dev.mmalign.api.common.ComputeResources;
import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.common.StorageSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * operator-bench: the packaged operator against local mode's API server without the Job executor (Jobs are created,
 * never run). One Ready PreferenceDataset; N AlignmentRuns created {@code parallelism} at a time; waits until every
 * run has its train Job, then prints one line:
 * {@code operator-bench: n=N p50_s=.. p99_s=.. all_s=.. rss_mb=.. requests_per_run=.. series_per_resource=..}.
 *
 * <p>Latency is a run's create (answered) to its Job's appearance in this process's watch. RSS is the operator's
 * VmRSS from /proc at the end. Requests are counted at the API server between the first create and the last Job,
 * less the bench's own N creates and less Events: requests_per_run is what issue #14 bounds (the run's status write
 * and its children), Events are printed apart ({@code events_per_run}, on a second line, with the CPU time the
 * operator and this process (the API server, with the bench's own client) spent per run and the load average;
 * a third line splits this process's time between the server's threads, the bench's client threads and the JVM's
 * own (JIT, GC): {@code server_cpu_ms_per_run} counts all three, as it always has).
 * Series are the operator's /q/metrics sample lines, after less before, per run.
 * The operator runs with the JVM flags its pod gets ({@link #jvmOptions}): the chart's memory limit as the JVM's RAM
 * (no container limits here) and the image's flags. With
 * {@code -Doperator-bench.diagnose=true} it also prints the operator's class histogram and native memory summary.
 * Usage, from the repository root after
 * {@code mvn -B -o -pl local -am package -DskipTests}:
 * <pre>java -cp local/target/mmalign-local.jar:local/target/test-classes dev.mmalign.local.OperatorBench N PARALLELISM</pre>
 */
public final class OperatorBench {

    /** Where the operator's JVM settings come from: the chart (memory limit) and the image (JVM flags). */
    static final Path CHART_VALUES = Path.of("helm/mmalign/values.yaml");
    static final Path IMAGE_DOCKERFILE = Path.of("operator/src/main/docker/Dockerfile.jvm");
    private static final String NS = "default";

    private OperatorBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path root = Path.of("").toAbsolutePath();
        Path app = root.resolve("operator/target/quarkus-app");
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            System.err.println("operator-bench: " + app + "/quarkus-run.jar not found; run from the repository root "
                    + "after mvn -B -o -pl local -am package -DskipTests");
            System.exit(2);
        }
        int metricsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        Path log = Files.createTempDirectory("operator-bench").resolve("operator.log");
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
            api.installCrds(root.resolve("crds"));
            KubernetesClient client = api.client();
            readyDataset(client);
            List<String> jvm = new ArrayList<>(jvmOptions(root));
            boolean diagnose = Boolean.getBoolean("operator-bench.diagnose");
            if (diagnose) {
                jvm.add("-XX:NativeMemoryTracking=summary");
            }
            // Extra operator JVM flags for profiling, e.g. -Doperator-bench.operator-jvm=-XX:StartFlightRecording=...
            String extra = System.getProperty("operator-bench.operator-jvm", "").trim();
            if (!extra.isEmpty()) {
                jvm.addAll(List.of(extra.split("\\s+")));
            }
            System.err.println("operator-bench: operator JVM " + String.join(" ", jvm));
            OperatorProcess operator = OperatorProcess.start(app, api.url(), jvm,
                    Map.of("quarkus.http.port", String.valueOf(metricsPort)), log);
            try {
                if (!operator.awaitStarted()) {
                    System.exit(1);
                }
                Map<String, Long> jobSeen = new ConcurrentHashMap<>();
                client.batch().v1().jobs().inNamespace(NS).inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Job job) {
                        jobSeen.putIfAbsent(job.getMetadata().getName(), System.nanoTime());
                    }

                    @Override
                    public void onUpdate(Job oldJob, Job newJob) {}

                    @Override
                    public void onDelete(Job job, boolean unknown) {}
                }).run();
                Thread.sleep(3000);   // the dataset's reconcile settles
                int seriesBefore = series(metricsPort);
                api.recordRequests();
                Map<String, Long> created = new ConcurrentHashMap<>();
                long operatorCpuBefore = cpuTicks(operator.pid());
                long serverCpuBefore = cpuTicks(ProcessHandle.current().pid());
                Map<Long, Long> threadCpuBefore = threadCpuNanos();
                long start = System.nanoTime();
                ExecutorService pool = Executors.newFixedThreadPool(parallelism);
                for (int i = 0; i < n; i++) {
                    String name = "bench-" + i;
                    pool.submit(() -> {
                        client.resource(run(name)).create();
                        created.put(name, System.nanoTime());
                        return null;
                    });
                }
                pool.shutdown();
                pool.awaitTermination(10, TimeUnit.MINUTES);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (!allHaveJobs(n, jobSeen) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                long end = System.nanoTime();
                double operatorCpuS = (cpuTicks(operator.pid()) - operatorCpuBefore) / (double) TICKS_PER_S;
                double serverCpuS = (cpuTicks(ProcessHandle.current().pid()) - serverCpuBefore)
                        / (double) TICKS_PER_S;
                Map<Long, Long> threadCpuAfter = threadCpuNanos();
                List<String> requestLines = api.takeRequests();
                // The bench's own creates are not the operator's; Events are counted apart (see the class comment).
                long events = requestLines.stream().filter(l -> l.matches("\\S+ /api/v1/namespaces/[^/]+/events.*"))
                        .count();
                long requests = requestLines.size() - n - events;
                if (!allHaveJobs(n, jobSeen)) {
                    System.err.println("operator-bench: only " + jobSeen.size() + " of " + n + " Jobs after 10 min");
                    System.exit(1);
                }
                List<Double> latencies = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String name = "bench-" + i;
                    latencies.add((jobSeen.get(name + "-train-1") - created.get(name)) / 1e9);
                }
                Collections.sort(latencies);
                Thread.sleep(1000);
                int seriesAfter = series(metricsPort);
                System.out.printf("operator-bench: n=%d p50_s=%.2f p99_s=%.2f all_s=%.2f rss_mb=%d "
                                + "requests_per_run=%.1f series_per_resource=%.1f%n", n, percentile(latencies, 50),
                        percentile(latencies, 99), (end - start) / 1e9, rssMb(operator.pid()),
                        (double) requests / n, (double) (seriesAfter - seriesBefore) / n);
                System.out.printf("operator-bench: events_per_run=%.1f operator_cpu_ms_per_run=%.1f "
                                + "server_cpu_ms_per_run=%.1f load=%s%n", (double) events / n, operatorCpuS * 1000 / n,
                        serverCpuS * 1000 / n, loadAverage());
                CpuSplit split = CpuSplit.of(threadCpuBefore, threadCpuAfter, api.serverThreadIds(), serverCpuS);
                System.out.printf("operator-bench: server_threads_cpu_ms_per_run=%.1f "
                                + "bench_client_threads_cpu_ms_per_run=%.1f jvm_cpu_ms_per_run=%.1f%n",
                        split.serverS() * 1000 / n, split.clientS() * 1000 / n, split.jvmS() * 1000 / n);
                if (diagnose) {
                    requestKinds(requestLines).forEach((k, c) -> System.err.printf(
                            "operator-bench: requests: %6d %s%n", c, k));
                    jcmd(operator.pid(), "GC.class_histogram", 30);
                    jcmd(operator.pid(), "VM.native_memory", 200);
                }
            } finally {
                operator.close();
            }
        }
        System.exit(0);
    }

    /**
     * The operator's JVM flags as its pod gets them: the chart's memory limit as the JVM's RAM ({@code -XX:MaxRAM},
     * so heap sizes follow from it as in the container: max {@code MaxRAMPercentage}, initial
     * {@code InitialRAMPercentage}), then the image's {@code JAVA_OPTS_APPEND} flags.
     */
    static List<String> jvmOptions(Path root) throws IOException {
        String dockerfile = Files.readString(root.resolve(IMAGE_DOCKERFILE));
        java.util.regex.Matcher opts = java.util.regex.Pattern.compile("JAVA_OPTS_APPEND=\"([^\"]*)\"")
                .matcher(dockerfile);
        if (!opts.find()) {
            throw new IOException("no JAVA_OPTS_APPEND in " + IMAGE_DOCKERFILE);
        }
        java.util.regex.Matcher limit = java.util.regex.Pattern.compile("(?m)^  limits:\\s*\\n    memory: (\\d+)Mi")
                .matcher(Files.readString(root.resolve(CHART_VALUES)));
        if (!limit.find()) {
            throw new IOException("no resources.limits.memory (Mi) in " + CHART_VALUES);
        }
        List<String> out = new ArrayList<>();
        out.add("-XX:MaxRAM=" + limit.group(1) + "m");
        for (String flag : opts.group(1).trim().split("\\s+")) {
            if (flag.startsWith("-XX:")) {
                out.add(flag);
            }
        }
        return out;
    }

    /** Prints the first {@code lines} lines of a jcmd diagnostic of the operator (where its memory goes). */
    private static void jcmd(long pid, String command, int lines) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        out.lines().limit(lines).forEach(l -> System.err.println("operator-bench: " + command + ": " + l));
    }

    /** Requests by verb and path, names and query values replaced by placeholders, most frequent first. */
    static Map<String, Long> requestKinds(List<String> lines) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String line : lines) {
            String shape = line.replaceAll("bench-\\d+", "RUN").replaceAll("=[^&]*", "=*");
            counts.merge(shape, 1L, Long::sum);
        }
        Map<String, Long> sorted = new java.util.LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private static boolean allHaveJobs(int n, Map<String, Long> jobSeen) {
        return jobSeen.size() >= n;
    }

    private static double percentile(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /** Sample lines of the operator's Prometheus endpoint. */
    private static int series(int port) throws IOException, InterruptedException {
        // The HTTP server may open a moment after the operator logs its start.
        for (int attempt = 0; ; attempt++) {
            try {
                return seriesOnce(port);
            } catch (IOException e) {
                if (attempt >= 60) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static int seriesOnce(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return (int) r.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count();
    }

    /** The CPU time of every live thread of this process so far, by thread id, in nanoseconds. */
    private static Map<Long, Long> threadCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> out = new java.util.HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos >= 0) {
                out.put(id, nanos);
            }
        }
        return out;
    }

    /**
     * This process's CPU time while the runs were created, split three ways: the API server's threads (those that
     * answered requests, sent watch events or collected garbage), the bench's own client (every other Java thread:
     * the creating pool, the Job informer, the Fabric8 client's event loop and connection set-up), and the JVM's own
     * threads (JIT compilers, GC; also threads that ended meanwhile), which Java's thread times do not show.
     */
    record CpuSplit(double serverS, double clientS, double jvmS) {

        static CpuSplit of(Map<Long, Long> before, Map<Long, Long> after, java.util.Set<Long> serverThreads,
                           double processS) {
            long server = 0;
            long all = 0;
            for (Map.Entry<Long, Long> e : after.entrySet()) {
                long spent = e.getValue() - before.getOrDefault(e.getKey(), 0L);
                all += spent;
                if (serverThreads.contains(e.getKey())) {
                    server += spent;
                }
            }
            return new CpuSplit(server / 1e9, (all - server) / 1e9, processS - all / 1e9);
        }
    }

    /** Clock ticks per second of /proc/PID/stat's CPU times (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_S = 100;

    /** User plus system CPU time of a process so far, in clock ticks. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);   // utime, stime (fields 14 and 15)
    }

    /** The 1, 5 and 15 minute load averages now. */
    private static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return f[0] + "," + f[1] + "," + f[2];
    }

    private static long rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** A dataset whose three stages succeeded (the operator sees it Ready and starts nothing for it). */
    private static void readyDataset(KubernetesClient client) {
        PreferenceDataset ds = new PreferenceDataset();
        ds.getMetadata().setName("prefs");
        ds.getMetadata().setNamespace(NS);
        var spec = new dev.mmalign.api.dataset.PreferenceDatasetSpec();
        spec.storage = new StorageSpec("data", "bench");
        spec.prompts = new dev.mmalign.api.dataset.PromptsSpec();
        spec.prompts.path = "prompts/prompts.jsonl";
        spec.sampling = new dev.mmalign.api.dataset.SamplingSpec();
        spec.sampling.model = ModelSource.ofPath("models/tiny");
        spec.annotation = new dev.mmalign.api.dataset.AnnotationSpec();
        spec.annotation.provider = dev.mmalign.api.common.JudgeProvider.ORACLE;
        ds.setSpec(spec);
        PreferenceDataset stored = client.resource(ds).create();
        PreferenceDatasetStatus st = new PreferenceDatasetStatus();
        st.phase = DatasetPhase.Ready;
        st.observedGeneration = stored.getMetadata().getGeneration();
        st.artifacts = new DatasetArtifacts();
        st.artifacts.dpo = "mmalign/datasets/prefs/sets/dpo.jsonl";
        st.stages = new ArrayList<>();
        for (String stage : List.of("sample", "annotate", "build")) {
            StageState s = new StageState();
            s.name = stage;
            s.phase = StageState.Phase.Succeeded;
            s.generation = stored.getMetadata().getGeneration();
            s.jobName = "prefs-" + stage + "-1";
            st.stages.add(s);
        }
        stored.setStatus(st);
        client.resource(stored).updateStatus();
    }

    private static AlignmentRun run(String name) {
        AlignmentRunSpec spec = new AlignmentRunSpec();
        spec.method = Method.DPO;
        spec.storage = new StorageSpec("data", "bench");
        spec.baseModel = ModelSource.ofPath("models/tiny");
        spec.dataset = new DatasetRef();
        spec.dataset.name = "prefs";
        spec.resources = new ComputeResources();
        spec.resources.gpus = 1;
        AlignmentRun run = new AlignmentRun();
        run.getMetadata().setName(name);
        run.getMetadata().setNamespace(NS);
        run.setSpec(spec);
        return run;
    }
}
