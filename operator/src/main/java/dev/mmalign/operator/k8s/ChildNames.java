package dev.mmalign.operator.k8s;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic names of children. The API server refuses a second object of the same name, so deterministic names
 * are what makes reconciles idempotent: an operator restarted mid-run, or reading a stale cache, finds the existing
 * Job instead of creating another.
 */
public final class ChildNames {
    /** Job names end up in a pod label (batch.kubernetes.io/job-name), so they must be valid label values. */
    static final int MAX = 63;

    private ChildNames() {}

    /** The Job (and ConfigMap) of {@code stage} of {@code owner}, started for {@code generation}. */
    public static String job(String owner, String stage, long generation) {
        return fit(owner + "-" + stage + "-" + generation);
    }

    /** ConfigMap holding a Job's stage spec. */
    public static String stageSpec(String jobName) {
        return fit(jobName + "-spec");
    }

    /** ServiceAccount, Role and RoleBinding the stage pods of {@code owner} report progress with. */
    public static String progress(String owner) {
        return fit(owner + "-progress");
    }

    /** ServiceAccount of judge pods with Workload Identity (only they get the cloud identity). */
    public static String judge(String owner) {
        return fit(owner + "-judge");
    }

    /** The BenchmarkSuite an AlignmentRun creates for spec.evaluation. */
    public static String evaluationSuite(String run) {
        return fit(run + "-eval");
    }

    /** The AlignmentRun of an AlignmentSweep at one point of its axes ({@code point}: the point's short key). */
    public static String sweepRun(String sweep, String point) {
        return fit(sweep + "-" + point);
    }

    /** The BenchmarkSuite an AlignmentSweep evaluates its runs with. */
    public static String sweepSuite(String sweep) {
        return fit(sweep + "-suite");
    }

    /** The ConfigMap holding an AlignmentSweep's sweep.json. */
    public static String sweepTable(String sweep) {
        return fit(sweep + dev.mmalign.api.sweep.SweepDocument.CONFIG_MAP_SUFFIX);
    }

    /** {@code name} when at most {@code max} characters, else a prefix plus a hash of the whole (see {@link #fit}). */
    public static String fit(String name, int max) {
        if (name.length() <= max) {
            return name;
        }
        String hash = hash(name);
        String prefix = name.substring(0, max - hash.length() - 1).replaceAll("[-.]+$", "");
        return prefix + "-" + hash;
    }

    /** A valid label value for a name (resource names may be longer than 63 characters). */
    public static String labelValue(String name) {
        return fit(name);
    }

    /** {@code name} when short enough, else a prefix plus a hash of the whole, so distinct names stay distinct. */
    static String fit(String name) {
        return fit(name, MAX);
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
