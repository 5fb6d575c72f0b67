package dev.mmalign.local;

import dev.mmalign.operator.k8s.LocalApiServerTarget;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What differs between the operator and its stage pods in a cluster and in local mode, in one place: the local
 * command and the end-to-end tests both pass them to the operator process as {@code -D} options, so that both run
 * the same configuration.
 */
public final class LocalModeSettings {

    /** The Quarkus profile of local mode: leader election is only activated in prod (application.properties). */
    public static final String PROFILE = "local";

    /**
     * Part of the line Quarkus logs once start-up is complete ("… on JVM (powered by Quarkus …) started in 4.2s."):
     * the operator extension starts every controller, informers listed and watching, before it. Local mode applies
     * nothing earlier. That wait was a work-around: a resource created while an informer was between its list and
     * its watch was never seen, until the API server replayed a watch from the list's resourceVersion
     * ({@link WatchHub}). It stays, so that a manifest applied meets running controllers and an operator that fails
     * to start is reported before anything is applied.
     */
    public static final String OPERATOR_STARTED_LOG_LINE = ") started in ";

    /**
     * The operator setting that gives stage pods without a PriorityClass their stage's
     * ({@code OperatorSettings.Trainer#stagePriorityClasses}, set by the chart's {@code stagePriorityClasses.use}).
     */
    public static final String STAGE_PRIORITY_CLASSES = "mmalign.trainer.stage-priority-classes";

    private LocalModeSettings() {
    }

    /**
     * JVM options of local mode's operator: the serial collector, as its image runs it (Dockerfile.jvm), and C1 only:
     * on the quickstart's two cores, C2 compiling the operator's start-up and reconcile code competes with the stage
     * pods for the whole few-minute run, for code that runs a few hundred times. Both are the image's flags too
     * ({@code JAVA_OPTS_APPEND}); LocalModeSettingsTest keeps them among them.
     */
    public static List<String> operatorJvmOptions() {
        return List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    }

    /** System properties for the operator JVM (read by Quarkus at boot). */
    public static Map<String, String> operatorProperties(String apiServerUrl) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(LocalApiServerTarget.PROPERTY, apiServerUrl);
        // One replica, nothing to elect; a Lease round-trip would only delay the start.
        p.put("quarkus.profile", PROFILE);
        // Health and metrics are not needed locally, and 8080 may be taken: any free port, loopback only.
        p.put("quarkus.http.port", "0");
        p.put("quarkus.http.host", "127.0.0.1");
        // Re-look at waiting resources often: local stages finish in seconds, not hours.
        p.put("mmalign.wait-recheck-interval", "2s");
        // Fabric8 auto-configuration must not read a developer's kubeconfig (their real cluster).
        p.put("kubernetes.auth.tryKubeConfig", "false");
        p.put("kubernetes.auth.tryServiceAccount", "false");
        return p;
    }

    /**
     * Logging of the local command's operator process: everything to {@code log} (appended to, so that the start can
     * be seen after what an earlier run left), only warnings to the terminal, where the progress lines are.
     */
    public static Map<String, String> operatorLogProperties(Path log) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("quarkus.log.file.enabled", "true");
        p.put("quarkus.log.file.path", log.toAbsolutePath().toString());
        p.put("quarkus.log.file.rotation.rotate-on-boot", "false");
        p.put("quarkus.log.console.level", "WARN");
        // "unstable version v1alpha1" warnings are noise for a user of local mode.
        p.put("quarkus.log.category.\"io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils\".level", "ERROR");
        p.put("quarkus.banner.enabled", "false");
        return p;
    }

    /**
     * Environment of every pod process: the trainer's progress reporter talks to the embedded server (in a pod the
     * in-cluster address and token would be used), and DJL loads the bundled CPU library without downloading.
     * Variables already set in this process's environment win for the DJL ones (a user's own cache).
     */
    public static Map<String, String> podEnv(String apiServerUrl, Path repoRoot) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBERNETES_MASTER", apiServerUrl);
        env.put("KUBERNETES_NAMESPACE", "default");
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBERNETES_AUTH_TRYSERVICEACCOUNT", "false");
        env.put("KUBERNETES_HTTP2_DISABLE", "true");
        putUnlessSet(env, "DJL_OFFLINE", "true");
        putUnlessSet(env, "PYTORCH_VERSION", "2.7.1");
        putUnlessSet(env, "PYTORCH_FLAVOR", "cpu");
        // The trainer build's tests already unpacked the native library (~450 MB) there; reuse it rather than a second
        // copy. Without it, DJL's own per-user cache, which the quickstart command uses too: a copy per work folder
        // cost every fresh run 450 MB and 2.8 s of unpacking before the claim preparation's first training.
        Path built = repoRoot.resolve("trainer-image/target/djl-cache");
        Path perUser = Path.of(System.getProperty("user.home"), ".djl.ai");
        putUnlessSet(env, "DJL_CACHE_DIR", (Files.isDirectory(built) ? built : perUser).toString());
        return env;
    }

    private static void putUnlessSet(Map<String, String> env, String name, String value) {
        String own = System.getenv(name);
        if (own == null || own.isEmpty()) {
            env.put(name, value);
        }
    }
}
