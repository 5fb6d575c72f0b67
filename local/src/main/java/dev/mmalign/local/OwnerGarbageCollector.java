package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Cascading deletion for the embedded API server, which has no garbage collector: when an object leaves the store,
 * every object whose {@code metadata.ownerReferences} names its uid is deleted too (background propagation, like
 * the default of a real cluster). Deleting a dependent reports its own uid again, so chains (AlignmentRun → Job →
 * Pod) cascade to the end.
 *
 * <p>Works through the API with a generic client over every kind the server serves, so it needs no knowledge of
 * the store's internals. It runs on its own thread: the deletion that triggers it is still being answered.
 */
final class OwnerGarbageCollector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OwnerGarbageCollector.class);

    private final KubernetesClient client;
    private final Supplier<List<Discovery.ServedResource>> kinds;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mmalign-local-gc");
        t.setDaemon(true);
        return t;
    });

    OwnerGarbageCollector(KubernetesClient client, Supplier<List<Discovery.ServedResource>> kinds) {
        this.client = client;
        this.kinds = kinds;
    }

    /** Schedules the deletion of the dependents of the object with this uid. */
    void ownerRemoved(String ownerUid) {
        if (!worker.isShutdown()) {
            worker.submit(() -> deleteDependents(ownerUid));
        }
    }

    private void deleteDependents(String ownerUid) {
        for (Discovery.ServedResource kind : kinds.get()) {
            try {
                List<GenericKubernetesResource> items = kind.namespaced()
                        ? client.genericKubernetesResources(kind.context()).inAnyNamespace().list().getItems()
                        : client.genericKubernetesResources(kind.context()).list().getItems();
                for (GenericKubernetesResource item : items) {
                    if (ownedBy(item, ownerUid)) {
                        LOG.debugf("cascading delete of %s %s/%s (owner uid %s)", kind.kind(),
                                item.getMetadata().getNamespace(), item.getMetadata().getName(), ownerUid);
                        if (kind.namespaced()) {
                            client.genericKubernetesResources(kind.context())
                                    .inNamespace(item.getMetadata().getNamespace())
                                    .withName(item.getMetadata().getName()).delete();
                        } else {
                            client.genericKubernetesResources(kind.context())
                                    .withName(item.getMetadata().getName()).delete();
                        }
                    }
                }
            } catch (KubernetesClientException e) {
                // One kind failing (server closing, odd object) must not stop the others.
                LOG.debugf("garbage collection of %s for owner %s: %s", kind.plural(), ownerUid, e.getMessage());
            }
        }
    }

    private static boolean ownedBy(GenericKubernetesResource item, String ownerUid) {
        List<OwnerReference> refs = item.getMetadata().getOwnerReferences();
        return refs != null && refs.stream().anyMatch(r -> ownerUid.equals(r.getUid()));
    }

    @Override
    public void close() {
        worker.shutdown();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
