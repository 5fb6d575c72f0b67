package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionNames;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The API discovery answers kubectl (and client libraries) need before they touch a resource: {@code /api},
 * {@code /api/v1}, {@code /apis}, {@code /apis/<group>}, {@code /apis/<group>/<version>}, {@code /version}.
 *
 * <p>The mock server answers these paths with empty or wrong documents (a GET of {@code /apis/g/v} lists all
 * stored objects of that group), so they are answered here instead. Built-in kinds are a fixed table of what an
 * mmalign operator and its stage pods use; custom kinds are derived at request time from the
 * CustomResourceDefinitions stored in the server, so a CRD applied later (e.g. {@code kubectl apply -f crds/})
 * shows up at once. Discovery is legacy (non-aggregated) JSON: kubectl asks for the aggregated form first and
 * falls back when the answer's content type is plain {@code application/json}.
 */
final class Discovery {

    /** A kind the server serves: enough for a discovery entry and for listing it with a generic client. */
    record ServedResource(String group, String version, String plural, String singular, String kind,
                          boolean namespaced, boolean statusSubresource, List<String> shortNames,
                          List<String> categories) {

        String groupVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        ResourceDefinitionContext context() {
            return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version)
                    .withPlural(plural).withKind(kind).withNamespaced(namespaced).build();
        }
    }

    private static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final List<String> STATUS_VERBS = List.of("get", "patch", "update");

    /** Built-in kinds: what the operator creates or reads, and what a user inspects with kubectl. */
    private static final List<ServedResource> BUILT_IN = List.of(
            builtIn("", "v1", "pods", "Pod", true, true, List.of("po"), List.of("all")),
            builtIn("", "v1", "configmaps", "ConfigMap", true, false, List.of("cm"), List.of()),
            builtIn("", "v1", "secrets", "Secret", true, false, List.of(), List.of()),
            builtIn("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true, List.of("pvc"), List.of()),
            builtIn("", "v1", "services", "Service", true, true, List.of("svc"), List.of("all")),
            builtIn("", "v1", "serviceaccounts", "ServiceAccount", true, false, List.of("sa"), List.of()),
            builtIn("", "v1", "events", "Event", true, false, List.of("ev"), List.of()),
            builtIn("", "v1", "namespaces", "Namespace", false, true, List.of("ns"), List.of()),
            builtIn("batch", "v1", "jobs", "Job", true, true, List.of(), List.of("all")),
            builtIn("batch", "v1", "cronjobs", "CronJob", true, true, List.of("cj"), List.of("all")),
            builtIn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true,
                    List.of("crd", "crds"), List.of("api-extensions")),
            builtIn("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false, List.of(), List.of()),
            builtIn("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false, List.of(), List.of()),
            builtIn("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, false, List.of(), List.of()),
            builtIn("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, false,
                    List.of(), List.of()),
            builtIn("coordination.k8s.io", "v1", "leases", "Lease", true, false, List.of(), List.of()),
            builtIn("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", false, false, List.of("pc"),
                    List.of()));

    private final Supplier<List<CustomResourceDefinition>> crds;
    private final String serverAddress;

    /**
     * @param crds          the CRDs stored in the server right now (read on every discovery request)
     * @param serverAddress host:port clients reach the server at (reported in {@code /api})
     */
    Discovery(Supplier<List<CustomResourceDefinition>> crds, String serverAddress) {
        this.crds = crds;
        this.serverAddress = serverAddress;
    }

    /** Every kind served now: the built-ins plus the served versions of the stored CRDs. */
    List<ServedResource> servedResources() {
        List<ServedResource> all = new ArrayList<>(BUILT_IN);
        for (CustomResourceDefinition crd : crds.get()) {
            all.addAll(fromCrd(crd));
        }
        return all;
    }

    /** Derives one entry per served version of a CRD: names, short names, categories, scope, status. */
    static List<ServedResource> fromCrd(CustomResourceDefinition crd) {
        List<ServedResource> out = new ArrayList<>();
        CustomResourceDefinitionNames names = crd.getSpec().getNames();
        boolean namespaced = "Namespaced".equals(crd.getSpec().getScope());
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
            if (Boolean.FALSE.equals(v.getServed())) {
                continue;
            }
            boolean status = v.getSubresources() != null && v.getSubresources().getStatus() != null;
            String singular = names.getSingular() != null ? names.getSingular() : names.getKind().toLowerCase();
            out.add(new ServedResource(crd.getSpec().getGroup(), v.getName(), names.getPlural(), singular,
                    names.getKind(), namespaced, status, orEmpty(names.getShortNames()),
                    orEmpty(names.getCategories())));
        }
        return out;
    }

    /**
     * The discovery document for a GET of {@code path} (query string already removed), or empty when the path is
     * not a discovery path and belongs to the object store.
     */
    Optional<String> answer(String path) {
        List<ServedResource> served = servedResources();
        if (path.equals("/version")) {
            return Optional.of(version());
        }
        if (path.equals("/api")) {
            return Optional.of(Serialization.asJson(new APIVersionsBuilder().withVersions("v1")
                    .addNewServerAddressByClientCIDR("0.0.0.0/0", serverAddress).build()));
        }
        if (path.equals("/apis")) {
            return Optional.of(Serialization.asJson(new APIGroupListBuilder().withGroups(groups(served)).build()));
        }
        String[] parts = path.substring(1).split("/");
        if (parts.length == 2 && parts[0].equals("api")) {
            return resourceList(served, "", parts[1]);
        }
        if (parts.length == 2 && parts[0].equals("apis")) {
            return groups(served).stream().filter(g -> g.getName().equals(parts[1])).findFirst()
                    .map(Serialization::asJson);
        }
        if (parts.length == 3 && parts[0].equals("apis")) {
            return resourceList(served, parts[1], parts[2]);
        }
        return Optional.empty();
    }

    private static Optional<String> resourceList(List<ServedResource> served, String group, String version) {
        List<APIResource> resources = new ArrayList<>();
        for (ServedResource r : served) {
            if (r.group().equals(group) && r.version().equals(version)) {
                resources.add(new APIResourceBuilder().withName(r.plural()).withSingularName(r.singular())
                        .withKind(r.kind()).withNamespaced(r.namespaced()).withVerbs(ALL_VERBS)
                        .withShortNames(r.shortNames().isEmpty() ? null : r.shortNames())
                        .withCategories(r.categories().isEmpty() ? null : r.categories()).build());
                if (r.statusSubresource()) {
                    resources.add(new APIResourceBuilder().withName(r.plural() + "/status").withSingularName("")
                            .withKind(r.kind()).withNamespaced(r.namespaced()).withVerbs(STATUS_VERBS).build());
                }
            }
        }
        if (resources.isEmpty()) {
            return Optional.empty();
        }
        String gv = group.isEmpty() ? version : group + "/" + version;
        return Optional.of(Serialization.asJson(
                new APIResourceListBuilder().withGroupVersion(gv).withResources(resources).build()));
    }

    /** API groups (core excluded) with their versions; the first version seen is the preferred one. */
    private static List<APIGroup> groups(List<ServedResource> served) {
        Map<String, List<String>> versions = new LinkedHashMap<>();
        for (ServedResource r : served) {
            if (!r.group().isEmpty()) {
                List<String> vs = versions.computeIfAbsent(r.group(), g -> new ArrayList<>());
                if (!vs.contains(r.version())) {
                    vs.add(r.version());
                }
            }
        }
        List<APIGroup> groups = new ArrayList<>();
        versions.forEach((group, vs) -> {
            List<GroupVersionForDiscovery> gvs = vs.stream()
                    .map(v -> new GroupVersionForDiscovery(group + "/" + v, v)).toList();
            groups.add(new APIGroupBuilder().withName(group).withVersions(gvs).withPreferredVersion(gvs.get(0))
                    .build());
        });
        return groups;
    }

    /** A version the kubectl of this machine does not warn about (it warns beyond one minor of skew). */
    private static String version() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("major", "1");
        v.put("minor", "32");
        v.put("gitVersion", "v1.32.0-mmalign-local");
        v.put("gitCommit", "");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2026-01-01T00:00:00Z");
        v.put("goVersion", "n/a");
        v.put("compiler", "n/a");
        v.put("platform", "linux/amd64");
        return Serialization.asJson(v);
    }

    private static ServedResource builtIn(String group, String version, String plural, String kind,
                                          boolean namespaced, boolean status, List<String> shortNames,
                                          List<String> categories) {
        return new ServedResource(group, version, plural, kind.toLowerCase(), kind, namespaced, status, shortNames,
                categories);
    }

    private static List<String> orEmpty(List<String> l) {
        return l == null ? List.of() : l;
    }
}
