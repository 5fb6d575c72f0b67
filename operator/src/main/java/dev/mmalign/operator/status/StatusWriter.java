package dev.mmalign.operator.status;

import dev.mmalign.operator.k8s.Json;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a reconciled status: a PUT of the status subresource with optimistic locking (on a conflict it re-reads
 * and re-applies), and JOSDK's cache updated with the answer so the next reconcile never starts from a stale status.
 *
 * <p>Stage pods own a few status fields (progress; an AlignmentRun's live metrics). The operator's value of such a
 * field is written only when the reconcile changed it (e.g. marking a stage 100% done); otherwise whatever the pod
 * wrote last, even after this reconcile read the resource, is kept. A JSON patch computed against a possibly stale
 * copy would not give that guarantee (list entries can be duplicated).
 */
public final class StatusWriter {

    private StatusWriter() {}

    /** A copy of the status as read, to tell later which pod-owned fields the reconcile changed. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> snapshot(Object status) {
        return status == null ? Map.of() : Json.convert(status, Map.class);
    }

    @SuppressWarnings("unchecked")
    public static <S, P extends CustomResource<?, S>> void write(P reconciled, Map<String, Object> asRead,
                                                                 Context<P> context, Class<S> statusType,
                                                                 List<String> podOwnedFields) {
        Map<String, Object> mine = Json.convert(reconciled.getStatus(), Map.class);
        if (mine.equals(asRead)) {
            // Nothing changed: no request (a reconcile woken by a child's event often only confirms the status).
            return;
        }
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(reconciled, context, fresh -> {
            // The pod-owned fields as the API server has them now (the cached copy may predate the pod's last report:
            // relying on the write's resourceVersion instead lost a pod's progress in AlignmentRunReconcilerTest).
            P latest = context.getClient().resource(fresh).get();
            Object latestStatus = latest != null ? latest.getStatus() : fresh.getStatus();
            Map<String, Object> theirs = latestStatus == null ? Map.of() : Json.convert(latestStatus, Map.class);
            Map<String, Object> out = new LinkedHashMap<>(mine);
            for (String field : podOwnedFields) {
                Object theirValue = theirs.get(field);
                if (Objects.equals(mine.get(field), asRead.get(field))) {
                    if (theirValue != null) {
                        out.put(field, theirValue);
                    } else {
                        out.remove(field);
                    }
                } else if (theirValue instanceof Map<?, ?> t && mine.get(field) instanceof Map<?, ?> m) {
                    // The operator changed some of it (e.g. percent 100 at the end): its values over the pod's.
                    Map<Object, Object> merged = new LinkedHashMap<>(t);
                    m.forEach((k, v) -> {
                        if (v != null) {
                            merged.put(k, v);
                        }
                    });
                    out.put(field, merged);
                }
            }
            fresh.setStatus(Json.convert(out, statusType));
            return fresh;
        });
    }
}
