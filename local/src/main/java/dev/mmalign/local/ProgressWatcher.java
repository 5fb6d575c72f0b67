package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Follows the mmalign resources local mode applied until each is finished (Ready, Succeeded or Failed), printing a
 * {@link ResourceSummary} line for a resource whenever its line changes. Polls once a second: a handful of GETs on a
 * local server, simpler and sturdier than watches for a progress display.
 */
final class ProgressWatcher {

    private static final Duration POLL = Duration.ofSeconds(1);

    private final KubernetesClient client;
    private final PrintStream out;
    private final Instant start;
    private final Map<String, String> lastLines = new HashMap<>();

    ProgressWatcher(KubernetesClient client, PrintStream out, Instant start) {
        this.client = client;
        this.out = out;
        this.start = start;
    }

    /**
     * Waits until every tracked resource is finished, or the timeout passes.
     *
     * @param tracked mmalign resources ({@link ResourceSummary#isTracked}) with namespace and name set
     *
     * @return the resources as last read, each with its summary; {@code finished()} tells whether all finished
     */
    Result await(List<HasMetadata> tracked, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            List<HasMetadata> latest = new ArrayList<>();
            boolean all = true;
            boolean anyBlocked = false;
            boolean othersBlocked = true;
            for (HasMetadata r : tracked) {
                HasMetadata now = client.resources(ResourceSummary.KINDS.get(r.getKind()))
                        .inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).get();
                HasMetadata shown = now != null ? now : r;
                latest.add(shown);
                ResourceSummary s = ResourceSummary.of(shown);
                all &= s.finished();
                anyBlocked |= s.blocked();
                othersBlocked &= s.finished() || s.blocked();
                print(s);
            }
            if (all || Instant.now().isAfter(deadline)) {
                return new Result(latest, all, false);
            }
            // A run whose dataset failed waits until someone fixes the dataset; local mode does not: once every
            // resource left is blocked like that (the operator says so in its conditions), there is nothing more to see.
            if (anyBlocked && othersBlocked) {
                return new Result(latest, false, true);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private void print(ResourceSummary s) {
        String line = s.line();
        if (!line.equals(lastLines.put(s.id(), line))) {
            out.println(elapsed() + "  " + line);
        }
    }

    /** {@code [mm:ss]} since the command started. */
    String elapsed() {
        long s = Duration.between(start, Instant.now()).toSeconds();
        return String.format(Locale.ROOT, "[%02d:%02d]", s / 60, s % 60);
    }

    /**
     * @param finished every resource finished
     * @param blocked  not all finished, but those left only wait, and something they may wait for failed
     */
    record Result(List<HasMetadata> resources, boolean finished, boolean blocked) {

        boolean anyFailed() {
            return resources.stream().anyMatch(r -> ResourceSummary.of(r).failed());
        }
    }
}
