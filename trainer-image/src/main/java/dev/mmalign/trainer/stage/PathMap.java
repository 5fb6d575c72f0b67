package dev.mmalign.trainer.stage;

import dev.mmalign.trainer.data.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Local mode's translation of in-pod paths: the local Job executor runs a stage pod as a local process and passes
 * {@value #ENV} = {@code podPath=localPath} entries joined by {@code :} (e.g. {@code /data=/w/claim:/etc/mmalign=/w/spec}).
 * A path maps through the entry with the longest pod path that is the path itself or a parent folder of it
 * ({@code /database} is not under {@code /data}); a path no entry covers, and every path when the variable is unset
 * (a real pod), is used as it is. The executor rewrites arguments and env values itself; the trainer applies the map
 * to the in-pod paths it finds elsewhere: the storage root inside the stage spec and its own default paths.
 */
public final class PathMap {

    public static final String ENV = "MMALIGN_PATH_MAP";

    private record Entry(Path pod, Path local) {}

    private final List<Entry> longestFirst;

    private PathMap(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt((Entry e) -> e.pod().getNameCount()).reversed());
        this.longestFirst = List.copyOf(sorted);
    }

    /** The map of {@value #ENV} in {@code env}; the identity when it is unset or blank. */
    public static PathMap fromEnv(Map<String, String> env) {
        return parse(env.get(ENV));
    }

    /** Parses the variable's value; a malformed entry is a configuration error (exit code 2). */
    public static PathMap parse(String value) {
        List<Entry> entries = new ArrayList<>();
        if (value != null && !value.isBlank()) {
            for (String part : value.split(":")) {
                if (part.isBlank()) continue;
                int eq = part.indexOf('=');
                String pod = eq < 0 ? "" : part.substring(0, eq).trim();
                String local = eq < 0 ? "" : part.substring(eq + 1).trim();
                if (!pod.startsWith("/") || !local.startsWith("/")) {
                    throw new InvalidInputException(ENV + ": entry '" + part
                            + "' is not podPath=localPath with two absolute paths");
                }
                entries.add(new Entry(Path.of(pod).normalize(), Path.of(local).normalize()));
            }
        }
        return new PathMap(entries);
    }

    public boolean isIdentity() {
        return longestFirst.isEmpty();
    }

    /** The local form of an in-pod path; relative paths and paths no entry covers come back unchanged. */
    public Path map(Path path) {
        if (path == null || !path.isAbsolute()) return path;
        Path p = path.normalize();
        for (Entry e : longestFirst) {
            // Path.startsWith compares whole name elements, so /database does not start with /data.
            if (p.startsWith(e.pod())) {
                return e.local().resolve(e.pod().relativize(p).toString());
            }
        }
        return path;
    }

    public String map(String path) {
        return path == null ? null : map(Path.of(path)).toString();
    }
}
