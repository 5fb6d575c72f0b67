package dev.mmalign.operator.status;

import dev.mmalign.operator.k8s.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A small, bounded record of a spec (pure): a short hash per top-level field, kept in a stage's status entry when its
 * Job is created, so that a later spec change can name the fields the running Job does not see without keeping a copy
 * of the spec (which may be large) in the status.
 */
public final class SpecFields {

    /**
     * Fields a running stage does see: spec.suspend is applied to the stage's existing Job (StageRunner suspends and
     * resumes it), so a change to it is no change left unapplied.
     */
    static final Set<String> APPLIED_TO_RUNNING_JOBS = Set.of("suspend");

    private SpecFields() {}

    /** Top-level field name → first 12 hex digits of the SHA-256 of its JSON. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> of(Object spec) {
        Map<String, String> out = new TreeMap<>();
        if (spec == null) {
            return out;
        }
        Map<String, Object> fields = Json.convert(spec, Map.class);
        fields.forEach((name, value) -> {
            if (value != null) {
                out.put(name, hash(Json.write(value)));
            }
        });
        return out;
    }

    /**
     * The fields that differ between two records, as spec.&lt;field&gt;, sorted; fields applied to running Jobs too
     * ({@link #APPLIED_TO_RUNNING_JOBS}) are left out.
     */
    public static List<String> changed(Map<String, String> before, Map<String, String> now) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(now.keySet());
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (!APPLIED_TO_RUNNING_JOBS.contains(name) && !Objects.equals(before.get(name), now.get(name))) {
                out.add("spec." + name);
            }
        }
        return out;
    }

    private static String hash(String json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
