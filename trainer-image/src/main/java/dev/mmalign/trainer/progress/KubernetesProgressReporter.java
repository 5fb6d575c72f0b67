package dev.mmalign.trainer.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.api.Mmalign;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.common.ShardProgress;
import dev.mmalign.api.stage.OwnerInfo;
import dev.mmalign.api.stage.Shard;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.net.HttpURLConnection;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes progress into {@code .status.progress} of the stage's own resource through the status subresource, with a
 * JSON merge patch that touches nothing else (the operator owns every other status field). The pod's Role allows
 * exactly get/patch on {@code <plural>/status} of that one resource. Wrap it in a {@link ThrottledProgressReporter}.
 *
 * <p>One shard (an unsharded stage): a blind merge patch of the whole progress. A shard of several (an Indexed Job,
 * whose pods all report into the same resource): read the status, fold this shard's report into it
 * ({@link ShardedProgress}), and patch with the resourceVersion read, so that a concurrent report of another shard
 * (or an operator write) makes the API server answer 409 and the fold is redone on fresh data, never lost.
 */
public final class KubernetesProgressReporter implements ProgressReporter {

    private static final Logger LOG = Logger.getLogger(KubernetesProgressReporter.class.getName());
    /** Writes nulls too: a merge patch keeps fields it does not mention, so stale ETA or message must be cleared. */
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Conflicts a sharded report retries before it gives up (progress is informational; the next report retries). */
    static final int MAX_ATTEMPTS = 5;

    private final KubernetesClient client;
    private final OwnerInfo owner;
    private final Shard shard;
    private final ResourceDefinitionContext resource;

    public KubernetesProgressReporter(KubernetesClient client, OwnerInfo owner) {
        this(client, owner, new Shard());
    }

    public KubernetesProgressReporter(KubernetesClient client, OwnerInfo owner, Shard shard) {
        this.client = client;
        this.owner = owner;
        this.shard = shard;
        this.resource = new ResourceDefinitionContext.Builder()
                .withGroup(Mmalign.GROUP)
                .withVersion(Mmalign.VERSION)
                .withKind(owner.kind)
                .withPlural(pluralOf(owner.kind))
                .withNamespaced(true)
                .build();
    }

    /** The plural of an mmalign kind, as in its CRD (PreferenceDataset → preferencedatasets). */
    static String pluralOf(String kind) {
        return kind.toLowerCase(Locale.ROOT) + "s";
    }

    @Override
    public void report(Progress progress) {
        try {
            if (shard.count <= 1) {
                patch(patchBody(progress, Set.of(), null));
            } else {
                reportShard(progress);
            }
        } catch (KubernetesClientException e) {
            // Progress is informational: a failed patch (API server busy, resource deleted) must not fail the stage.
            LOG.log(Level.WARNING, "cannot patch progress of " + owner.kind + " " + owner.namespace + "/" + owner.name
                    + ": HTTP " + e.getCode() + " " + e.getMessage());
        }
    }

    private void reportShard(Progress mine) {
        for (int attempt = 1; ; attempt++) {
            String current = client.raw(statusUrl());
            if (current == null) {
                LOG.warning("cannot report progress: " + owner.kind + " " + owner.namespace + "/" + owner.name
                        + " not found");
                return;
            }
            JsonNode object = read(current);
            Progress before = object.path("status").has("progress")
                    ? JSON.convertValue(object.path("status").path("progress"), Progress.class) : null;
            Progress merged = ShardedProgress.merge(before, shard.index, shard.count, mine);
            try {
                patch(patchBody(merged, ShardedProgress.removedShards(before, merged),
                        object.path("metadata").path("resourceVersion").asText(null)));
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                // Another shard (or the operator) wrote in between: fold again on what is there now.
            }
        }
    }

    private void patch(String body) {
        client.genericKubernetesResources(resource)
                .inNamespace(owner.namespace)
                .withName(owner.name)
                .subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), body);
    }

    /** GET of the status subresource (what the pod's Role allows; it answers with the whole object). */
    private String statusUrl() {
        String base = client.getMasterUrl().toString();
        return (base.endsWith("/") ? base : base + "/") + "apis/" + Mmalign.GROUP + "/" + Mmalign.VERSION
                + "/namespaces/" + owner.namespace + "/" + pluralOf(owner.kind) + "/" + owner.name + "/status";
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable answer of the API server", e);
        }
    }

    /**
     * The merge patch: every progress field explicitly (nulls clear stale ones), {@code removedShards} as nulls, and
     * with {@code resourceVersion} set, the precondition that makes a concurrent write a 409.
     */
    static String patchBody(Progress progress, Set<String> removedShards, String resourceVersion) {
        ObjectNode body = JSON.createObjectNode();
        if (resourceVersion != null) {
            body.putObject("metadata").put("resourceVersion", resourceVersion);
        }
        ObjectNode p = body.putObject("status").putObject("progress");
        // Every field explicitly, nulls included (Progress itself leaves nulls out of its JSON).
        p.put("stage", progress.stage);
        p.put("current", progress.current);
        p.put("total", progress.total);
        p.put("unit", progress.unit);
        p.put("percent", progress.percent);
        p.put("epoch", progress.epoch);
        p.put("etaSeconds", progress.etaSeconds);
        p.put("updatedAt", progress.updatedAt);
        p.put("message", progress.message);
        if (progress.shards == null || progress.shards.isEmpty()) {
            p.putNull("shards");
        } else {
            ObjectNode shards = p.putObject("shards");
            for (var e : progress.shards.entrySet()) {
                ShardProgress s = e.getValue();
                ObjectNode n = shards.putObject(e.getKey());
                n.put("current", s.current);
                n.put("total", s.total);
                n.put("etaSeconds", s.etaSeconds);
                n.put("updatedAt", s.updatedAt);
            }
            removedShards.forEach(shards::putNull);
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode progress", e);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
