package dev.mmalign.operator.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the absolute in-pod paths of one container (its volume mounts and its termination message file) live on
 * this machine. Handed to the process as {@value #ENV} and used to rewrite the pod's arguments and env values.
 *
 * <h2>{@code MMALIGN_PATH_MAP} — the contract the trainer honours</h2>
 * <ul>
 *   <li>Format: {@code <podPath>=<localPath>} entries joined by {@code :}, e.g.
 *       {@code /etc/mmalign=/w/pods/ns/p/volumes/stage-spec:/data=/w/volumes/ns/claim/sub}.
 *       Both sides are absolute, normalised, without a trailing slash, and contain neither {@code :} nor
 *       {@code =} (the executor refuses to run a pod otherwise). Entries are written longest pod path first.</li>
 *   <li>Semantics: an in-pod path {@code p} maps through the entry with the longest {@code podPath} such that
 *       {@code p} equals {@code podPath} or starts with {@code podPath + "/"}; that prefix is replaced by
 *       {@code localPath}. A path no entry matches is used unchanged. An entry may name a single file (the
 *       termination message file, a file mounted with {@code subPath}).</li>
 *   <li>Unset or empty: the process runs in a real pod and uses paths as they are.</li>
 *   <li>Who applies it: the executor already rewrote arguments and env values (see {@link #rewrite}); the program
 *       applies it to in-pod paths it reads from files, e.g. the paths inside {@code /etc/mmalign/stage.json}.</li>
 * </ul>
 */
final class PathMap {

    static final String ENV = "MMALIGN_PATH_MAP";

    /** Characters that may precede an in-pod path inside an argument (shell words, key=value, redirections). */
    private static final String BEFORE = " \t\n=\"'<>(:;,|&`";
    /** Characters that may follow it (end of the path or a deeper path). */
    private static final String AFTER = "/ \t\n\"')<>;,|&`:";

    private final Map<String, Path> entries = new LinkedHashMap<>();

    /** Adds (or replaces) the local location of an in-pod path. */
    void put(String podPath, Path localPath) {
        String pod = normalisePodPath(podPath);
        String local = localPath.toAbsolutePath().normalize().toString();
        if (pod.contains(":") || pod.contains("=") || local.contains(":") || local.contains("=")) {
            throw new IllegalArgumentException("path with ':' or '=' cannot be mapped: " + pod + " -> " + local);
        }
        entries.put(pod, Path.of(local));
    }

    /** The local path of an in-pod path, if a mount covers it. */
    Optional<Path> resolve(String podPath) {
        String p = normalisePodPath(podPath);
        for (String pod : longestFirst()) {
            if (p.equals(pod)) {
                return Optional.of(entries.get(pod));
            }
            if (p.startsWith(pod + "/") || pod.equals("/")) {
                return Optional.of(entries.get(pod).resolve(p.substring(pod.length()).replaceFirst("^/", "")));
            }
        }
        return Optional.empty();
    }

    /**
     * Replaces every in-pod path in {@code text} that a mount covers, in one left-to-right pass (so a local path
     * is never rewritten again). A path counts where it starts the text or follows a separator ({@value BEFORE})
     * and ends the text or is followed by {@code /} or a separator: {@code /data/x}, {@code --out=/data/x} and
     * {@code echo 1 > /data/x} (inside {@code sh -c}) are rewritten; {@code /database} is not.
     */
    String rewrite(String text) {
        if (text == null || entries.isEmpty()) {
            return text;
        }
        List<String> pods = longestFirst();
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            boolean boundary = i == 0 || BEFORE.indexOf(text.charAt(i - 1)) >= 0;
            String matched = null;
            if (boundary && text.charAt(i) == '/') {
                for (String pod : pods) {
                    int end = i + pod.length();
                    if (text.startsWith(pod, i) && (end == text.length() || AFTER.indexOf(text.charAt(end)) >= 0)) {
                        matched = pod;
                        break;
                    }
                }
            }
            if (matched != null) {
                out.append(entries.get(matched));
                i += matched.length();
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return out.toString();
    }

    /** The value of {@value #ENV}. */
    String toEnvValue() {
        List<String> parts = new ArrayList<>();
        for (String pod : longestFirst()) {
            parts.add(pod + "=" + entries.get(pod));
        }
        return String.join(":", parts);
    }

    Map<String, Path> entries() {
        return Map.copyOf(entries);
    }

    private List<String> longestFirst() {
        List<String> pods = new ArrayList<>(entries.keySet());
        pods.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
        return pods;
    }

    private static String normalisePodPath(String p) {
        String n = Path.of(p).normalize().toString();
        if (!n.startsWith("/")) {
            throw new IllegalArgumentException("in-pod path must be absolute: " + p);
        }
        return n;
    }
}
