package dev.mmalign.api.stage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Local mode's translation of absolute in-pod paths (volume mounts, the termination message file) to folders on
 * this machine. The local Job executor builds it from a pod's mounts, hands it to the process as {@value #ENV} and
 * rewrites the pod's arguments and env values with it; the trainer parses the variable and applies it to the
 * in-pod paths it reads from files (the storage root inside the stage spec, its own default paths). One class, so
 * both sides of the contract agree.
 *
 * <ul>
 *   <li>Format: {@code <podPath>=<localPath>} entries joined by {@code :}, e.g.
 *       {@code /etc/mmalign=/w/pods/ns/p/volumes/stage-spec:/data=/w/volumes/ns/claim/sub}. Both sides are
 *       absolute, normalised, without a trailing slash, and contain neither {@code :} nor {@code =}. Entries are
 *       written longest pod path first.</li>
 *   <li>Semantics: a path maps through the entry with the longest pod path that is the path itself or a parent
 *       folder of it ({@code /database} is not under {@code /data}); that prefix is replaced by the local path. A
 *       path no entry covers is used unchanged. An entry may name a single file.</li>
 *   <li>Unset or blank: the process runs in a real pod and uses paths as they are.</li>
 * </ul>
 */
public final class PathMap {

    public static final String ENV = "MMALIGN_PATH_MAP";

    /** Characters that may precede an in-pod path inside an argument (shell words, key=value, redirections). */
    private static final String BEFORE = " \t\n=\"'<>(:;,|&`";
    /** Characters that may follow it (end of the path or a deeper path). */
    private static final String AFTER = "/ \t\n\"')<>;,|&`:";

    private final Map<String, Path> entries = new LinkedHashMap<>();

    /** The map of {@value #ENV} in {@code env}; the identity when it is unset or blank. */
    public static PathMap fromEnv(Map<String, String> env) {
        return parse(env.get(ENV));
    }

    /** Parses a value of {@value #ENV}; throws IllegalArgumentException for an entry that is not podPath=localPath. */
    public static PathMap parse(String value) {
        PathMap map = new PathMap();
        if (value != null && !value.isBlank()) {
            for (String part : value.split(":")) {
                if (part.isBlank()) {
                    continue;
                }
                int eq = part.indexOf('=');
                String pod = eq < 0 ? "" : part.substring(0, eq).trim();
                String local = eq < 0 ? "" : part.substring(eq + 1).trim();
                if (!pod.startsWith("/") || !local.startsWith("/")) {
                    throw new IllegalArgumentException(ENV + ": entry '" + part
                            + "' is not podPath=localPath with two absolute paths");
                }
                map.put(pod, Path.of(local));
            }
        }
        return map;
    }

    /** Adds (or replaces) the local location of an in-pod path. */
    public void put(String podPath, Path localPath) {
        String pod = normalisePodPath(podPath);
        String local = localPath.toAbsolutePath().normalize().toString();
        if (pod.contains(":") || pod.contains("=") || local.contains(":") || local.contains("=")) {
            throw new IllegalArgumentException("path with ':' or '=' cannot be mapped: " + pod + " -> " + local);
        }
        entries.put(pod, Path.of(local));
    }

    public boolean isIdentity() {
        return entries.isEmpty();
    }

    /** The local path of an in-pod path, if an entry covers it. */
    public Optional<Path> resolve(String podPath) {
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

    /** The local form of an in-pod path; relative paths and paths no entry covers come back unchanged. */
    public Path map(Path path) {
        if (path == null || !path.isAbsolute()) {
            return path;
        }
        return resolve(path.toString()).orElse(path);
    }

    public String map(String path) {
        return path == null ? null : map(Path.of(path)).toString();
    }

    /**
     * Replaces every in-pod path in {@code text} that an entry covers, in one left-to-right pass (so a local path
     * is never rewritten again). A path counts where it starts the text or follows a separator ({@value BEFORE})
     * and ends the text or is followed by {@code /} or a separator: {@code /data/x}, {@code --out=/data/x} and
     * {@code echo 1 > /data/x} (inside {@code sh -c}) are rewritten; {@code /database} is not.
     */
    public String rewrite(String text) {
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
    public String toEnvValue() {
        List<String> parts = new ArrayList<>();
        for (String pod : longestFirst()) {
            parts.add(pod + "=" + entries.get(pod));
        }
        return String.join(":", parts);
    }

    public Map<String, Path> entries() {
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
