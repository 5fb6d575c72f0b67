package dev.mmalign.trainer.progress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mmalign.api.Mmalign;
import dev.mmalign.api.common.Progress;
import dev.mmalign.api.stage.OwnerInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes progress into {@code .status.progress} of the stage's own resource through the status subresource, with a
 * JSON merge patch that touches nothing else (the operator owns every other status field). The pod's Role allows
 * exactly get/patch on {@code <plural>/status} of that one resource. Wrap it in a {@link ThrottledProgressReporter}.
 */
public final class KubernetesProgressReporter implements ProgressReporter {

    private static final Logger LOG = Logger.getLogger(KubernetesProgressReporter.class.getName());
    /** Writes nulls too: a merge patch keeps fields it does not mention, so stale ETA or message must be cleared. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient client;
    private final OwnerInfo owner;
    private final ResourceDefinitionContext resource;

    public KubernetesProgressReporter(KubernetesClient client, OwnerInfo owner) {
        this.client = client;
        this.owner = owner;
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
            client.genericKubernetesResources(resource)
                    .inNamespace(owner.namespace)
                    .withName(owner.name)
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patchBody(progress));
        } catch (KubernetesClientException e) {
            // Progress is informational: a failed patch (API server busy, resource deleted) must not fail the stage.
            LOG.log(Level.WARNING, "cannot patch progress of " + owner.kind + " " + owner.namespace + "/" + owner.name
                    + ": HTTP " + e.getCode() + " " + e.getMessage());
        }
    }

    static String patchBody(Progress progress) {
        ObjectNode body = JSON.createObjectNode();
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
