package dev.mmalign.operator.k8s;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/** Records core/v1 Events on a resource (what `kubectl describe` shows). Failing to record one never fails a reconcile. */
@ApplicationScoped
public class EventRecorder {

    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    private final KubernetesClient client;

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void record(HasMetadata on, String type, String reason, String message) {
        String now = Times.format(Instant.now());
        var event = new EventBuilder()
                .withNewMetadata()
                    .withName(on.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())
                            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000)))
                    .withNamespace(on.getMetadata().getNamespace())
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion(on.getApiVersion())
                    .withKind(on.getKind())
                    .withName(on.getMetadata().getName())
                    .withNamespace(on.getMetadata().getNamespace())
                    .withUid(on.getMetadata().getUid())
                    .withResourceVersion(on.getMetadata().getResourceVersion())
                .endInvolvedObject()
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1024 ? message.substring(0, 1023) + "…" : message)
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .withNewSource().withComponent(Labels.MANAGER).endSource()
                .withReportingComponent(Labels.MANAGER)
                .build();
        try {
            client.v1().events().inNamespace(on.getMetadata().getNamespace()).resource(event).create();
        } catch (RuntimeException e) {
            LOG.debugf(e, "could not record event %s on %s", reason, on.getMetadata().getName());
        }
    }
}
