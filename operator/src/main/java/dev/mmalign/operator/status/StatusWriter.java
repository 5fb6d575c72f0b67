package dev.mmalign.operator.status;

import dev.mmalign.operator.k8s.Json;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;

import java.net.HttpURLConnection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a reconciled status: one PUT of the status subresource carrying the resourceVersion the reconcile read, and
 * JOSDK's cache updated with the answer so the next reconcile never starts from a stale status.
 *
 * <p>Stage pods own a few status fields (progress; an AlignmentRun's live metrics), which they merge-patch without a
 * resourceVersion. The operator's value of such a field is written only when the reconcile changed it (e.g. marking a
 * stage 100% done); otherwise whatever the pod wrote last is kept. The resourceVersion makes that hold without a
 * read before the write: the PUT succeeds only if nothing (a pod included) wrote since the reconcile's read, so the
 * pod-owned fields as read are the current ones. A 409 means something wrote since: the writer re-reads the resource
 * and merges again onto what it has now. The common case is one request. A JSON patch computed against a possibly
 * stale copy would not give that guarantee (list entries can be duplicated).
 */
public final class StatusWriter {

    /** Conflicts in a row before giving up (JOSDK's retry then reconciles again from a fresh read). */
    static final int MAX_ATTEMPTS = 5;

    /** The two API calls a status write makes; a seam so the merge and conflict handling are testable alone. */
    interface Server<P> {
        /** PUT of the status subresource with {@code resource}'s resourceVersion: 409 if it is not the latest. */
        P putStatus(P resource);

        /** The resource as the API server has it now, or null if it is gone. */
        P read(P resource);
    }

    private StatusWriter() {}

    /** A copy of the status as read, to tell later which pod-owned fields the reconcile changed. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> snapshot(Object status) {
        return status == null ? Map.of() : Json.convert(status, Map.class);
    }

    /** Writes {@code reconciled}'s status (no request when the reconcile changed nothing) and caches the answer. */
    public static <S, P extends CustomResource<?, S>> void write(P reconciled, Map<String, Object> asRead,
                                                                 Context<P> context, Class<S> statusType,
                                                                 List<String> podOwnedFields) {
        Server<P> server = new Server<>() {
            @Override
            public P putStatus(P resource) {
                P written = context.getClient().resource(resource).updateStatus();
                // `resource` carries the version the write replaced: JOSDK keeps ours unless an event is newer.
                context.eventSourceRetriever().getControllerEventSource()
                        .handleRecentResourceUpdate(ResourceID.fromResource(written), written, resource);
                return written;
            }

            @Override
            public P read(P resource) {
                return context.getClient().resource(resource).get();
            }
        };
        write(reconciled, asRead, statusType, podOwnedFields, server);
    }

    /**
     * The write against {@code server}: returns the resource as written, or null when nothing was written (no
     * change, or the resource is gone).
     */
    @SuppressWarnings("unchecked")
    static <S, P extends CustomResource<?, S>> P write(P reconciled, Map<String, Object> asRead, Class<S> statusType,
                                                       List<String> podOwnedFields, Server<P> server) {
        Map<String, Object> mine = Json.convert(reconciled.getStatus(), Map.class);
        if (mine.equals(asRead)) {
            // Nothing changed: no request (a reconcile woken by a child's event often only confirms the status).
            return null;
        }
        P target = reconciled;
        Map<String, Object> theirs = asRead; // the pod-owned fields as of target's resourceVersion
        for (int attempt = 1; ; attempt++) {
            target.setStatus(Json.convert(merge(mine, asRead, theirs, podOwnedFields), statusType));
            try {
                return server.putStatus(target);
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
            }
            P latest = server.read(target);
            if (latest == null) {
                return null; // deleted meanwhile: no status to write
            }
            theirs = snapshot(latest.getStatus());
            target = latest;
        }
    }

    /**
     * The status to write: the reconcile's ({@code mine}) except for pod-owned fields it left as read, which take
     * the server's current value ({@code theirs}). A pod-owned map the reconcile changed keeps the pod's entries
     * under the operator's (e.g. percent 100 at the end).
     */
    static Map<String, Object> merge(Map<String, Object> mine, Map<String, Object> asRead, Map<String, Object> theirs,
                                     List<String> podOwnedFields) {
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
                Map<Object, Object> merged = new LinkedHashMap<>(t);
                m.forEach((k, v) -> {
                    if (v != null) {
                        merged.put(k, v);
                    }
                });
                out.put(field, merged);
            }
        }
        return out;
    }
}
