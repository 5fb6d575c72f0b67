package dev.mmalign.operator;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every API permission the operator needs, and nothing more: {@link #RULES} where its resources live, and
 * {@link #LEADER_ELECTION_RULES} in its own namespace only. The Helm chart's RBAC must equal these lists
 * (HelmChartTest): helm/mmalign/files/operator-rules.yaml, rendered into the ClusterRole or the per-namespace Roles,
 * and files/leader-election-rules.yaml, rendered into a Role in the release namespace. The integration tests check that
 * every request the operator makes is allowed by them (RecordedRequests).
 */
public final class OperatorPermissions {

    /** One RBAC rule. */
    public record Rule(String apiGroup, List<String> resources, List<String> verbs) {}

    public static final List<Rule> RULES = List.of(
            // The kinds: watched (informers) and read (references between them).
            new Rule("mmalign.dev", List.of("preferencedatasets", "alignmentsweeps"),
                    List.of("get", "list", "watch")),
            // AlignmentSweep children: runs created, patched (a template change) and deleted (a removed axis value).
            new Rule("mmalign.dev", List.of("alignmentruns"),
                    List.of("get", "list", "watch", "create", "patch", "delete")),
            // Created by an AlignmentRun (spec.evaluation) or a sweep; patched by the sweep when its points change.
            new Rule("mmalign.dev", List.of("benchmarksuites"), List.of("get", "list", "watch", "create", "patch")),
            // Status is written by JSON patch. Holding get and patch here is also what allows the operator to grant
            // them to the per-resource progress Role (RBAC forbids granting what one does not hold).
            new Rule("mmalign.dev", List.of("preferencedatasets/status", "alignmentruns/status",
                    "benchmarksuites/status", "alignmentsweeps/status"), List.of("get", "patch", "update")),
            // Stage Jobs: watched, created, and patched for spec.suspend.
            new Rule("batch", List.of("jobs"), List.of("get", "list", "watch", "create", "patch")),
            // Pods of stage Jobs (exit codes, termination messages), stage spec ConfigMaps and the progress identity of
            // each resource: read from informers filtered by our labels (list, watch), created when absent (get only
            // after a create that found the name taken).
            new Rule("", List.of("pods"), List.of("list", "watch")),
            new Rule("", List.of("serviceaccounts"), List.of("get", "list", "watch", "create")),
            // ConfigMaps also hold a sweep's sweep.json, patched when its scores change.
            new Rule("", List.of("configmaps"), List.of("get", "list", "watch", "create", "patch")),
            new Rule("rbac.authorization.k8s.io", List.of("roles", "rolebindings"),
                    List.of("get", "list", "watch", "create")),
            // Events: created, and patched (count, lastTimestamp) when the same one recurs (EventRecorder).
            new Rule("", List.of("events"), List.of("create", "patch")));

    /** Leader election: the Lease in the operator's own namespace, granted there only (a Role, not cluster-wide). */
    public static final List<Rule> LEADER_ELECTION_RULES = List.of(
            new Rule("coordination.k8s.io", List.of("leases"), List.of("get", "create", "update")));

    private OperatorPermissions() {}

    /**
     * Whether the rules allow {@code verb} on {@code resource} (e.g. jobs, alignmentruns/status) of {@code apiGroup},
     * in some namespace: those of the watched namespaces or the leader-election ones of the operator's own.
     */
    public static boolean allows(String apiGroup, String resource, String verb) {
        return Stream.concat(RULES.stream(), LEADER_ELECTION_RULES.stream())
                .anyMatch(r -> r.apiGroup().equals(apiGroup) && r.resources().contains(resource)
                        && r.verbs().contains(verb));
    }
}
