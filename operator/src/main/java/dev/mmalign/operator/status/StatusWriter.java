package dev.mmalign.operator.status;

import dev.mmalign.operator.k8s.Json;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Writes a reconciled status as one patch of the status subresource carrying only what the reconcile changed, computed
 * against the status as the reconcile read it, and updates JOSDK's cache with the answer so the next reconcile never
 * starts from a stale status.
 *
 * <p>Stage pods own a few status fields (progress; an AlignmentRun's live metrics) and patch them at any time. The
 * operator's value of such a field is sent only when the reconcile changed it (e.g. marking a stage 100% done), and
 * then only the keys it changed; otherwise the field is left out of the patch, so whatever the pod wrote last — even
 * after this reconcile read the resource — is kept. This needs no read before the write and no optimistic lock: the
 * operator is the only writer of every other field, and JOSDK runs one reconcile of a resource at a time, always from
 * a copy at least as new as its own last write. (A read-modify-PUT cannot give that guarantee without a lock on the
 * resourceVersion, and the fabric8 mock server ignores the resourceVersion of a status PUT: a pod's report landing
 * between the read and the PUT was lost there.)
 *
 * <p>The patch is a JSON patch (RFC 6902) whose operations name fields, never list indexes: a changed list is replaced
 * whole, a changed map is diffed key by key, a removed key is removed. The first write, when the resource has no
 * status yet, is a JSON merge patch (RFC 7386) of the whole status instead, because a JSON patch cannot add to a
 * parent that may or may not exist (the pod may have reported first). Later writes are not merge patches because the
 * fabric8 mock server the operator tests run against appends lists on a merge patch, unlike kube-apiserver.
 */
public final class StatusWriter {

    private StatusWriter() {}

    /** A copy of the status as read, to tell later what the reconcile changed. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> snapshot(Object status) {
        return status == null ? Map.of() : Json.convert(status, Map.class);
    }

    /**
     * Sends what the reconcile changed in {@code reconciled}'s status since {@code asRead}; sends nothing when it
     * changed nothing (a reconcile woken by a child's event often only confirms the status).
     */
    @SuppressWarnings("unchecked")
    public static <S, P extends CustomResource<?, S>> void write(P reconciled, Map<String, Object> asRead,
                                                                 Context<P> context, List<String> podOwnedFields) {
        Map<String, Object> mine = reconciled.getStatus() == null ? Map.of()
                : Json.convert(reconciled.getStatus(), Map.class);
        Map<String, Object> changed = changes(asRead, mine, podOwnedFields);
        if (changed.isEmpty()) {
            return;
        }
        PatchType type;
        String body;
        if (asRead.isEmpty()) {
            type = PatchType.JSON_MERGE;
            body = Json.write(Map.of("status", changed));
        } else {
            type = PatchType.JSON;
            body = Json.write(operations("/status", changed, asRead));
        }
        PrimaryUpdateAndCacheUtils.updateAndCacheResource(reconciled, context, UnaryOperator.identity(),
                r -> context.getClient().resource(r).subresource("status").patch(PatchContext.of(type), body));
    }

    /**
     * What the reconcile changed, as a merge-patch-shaped map: every top-level field it changed, except a pod-owned
     * field it left as read. Maps are diffed key by key (a removed key maps to {@code null}); any other changed value,
     * lists included, is taken whole.
     */
    static Map<String, Object> changes(Map<String, Object> asRead, Map<String, Object> mine,
                                       List<String> podOwnedFields) {
        Map<String, Object> changed = diff(asRead, mine);
        // A pod-owned field the reconcile did not touch has no entry in the diff: the pod's value stays.
        changed.keySet().removeIf(field -> podOwnedFields.contains(field)
                && Objects.equals(asRead.get(field), mine.get(field)));
        return changed;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> diff(Map<String, Object> from, Map<String, Object> to) {
        Map<String, Object> changed = new LinkedHashMap<>();
        Set<String> keys = new LinkedHashSet<>(to.keySet());
        keys.addAll(from.keySet());
        for (String key : keys) {
            Object before = from.get(key);
            Object after = to.get(key);
            if (Objects.equals(before, after)) {
                continue;
            }
            if (before instanceof Map<?, ?> b && after instanceof Map<?, ?> a) {
                changed.put(key, diff((Map<String, Object>) b, (Map<String, Object>) a));
            } else {
                changed.put(key, after); // null: removed
            }
        }
        return changed;
    }

    /**
     * The JSON patch operations of {@code changed} under {@code path}: {@code add} sets an object member whether or
     * not it exists, {@code remove} deletes one that was read (so it exists: the operator wrote it, or a pod, which
     * never deletes its fields), and a nested map is descended only where it was read as a map.
     */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> operations(String path, Map<String, Object> changed, Map<String, Object> read) {
        List<Map<String, Object>> ops = new ArrayList<>();
        changed.forEach((key, value) -> {
            String at = path + "/" + key.replace("~", "~0").replace("/", "~1");
            Object before = read.get(key);
            if (value == null) {
                ops.add(Map.of("op", "remove", "path", at));
            } else if (value instanceof Map<?, ?> m && before instanceof Map<?, ?> b) {
                ops.addAll(operations(at, (Map<String, Object>) m, (Map<String, Object>) b));
            } else {
                Map<String, Object> op = new LinkedHashMap<>();
                op.put("op", "add");
                op.put("path", at);
                op.put("value", value);
                ops.add(op);
            }
        });
        return ops;
    }
}
