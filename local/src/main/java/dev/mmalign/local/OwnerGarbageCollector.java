package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Cascading deletion for the embedded API server, which has no garbage collector: when an object leaves the store,
 * every object whose {@code metadata.ownerReferences} names its uid is deleted too (background propagation, like
 * the default of a real cluster). Deleting a dependent reports its own uid again, so chains (AlignmentRun → Job →
 * Pod) cascade to the end.
 *
 * <p>The dependents come from the store's index by owner uid (listing every kind on each removal made deleting N
 * objects cost O(N²)); they are deleted through the API with a generic client, as a user's DELETE would be. It runs
 * on its own thread: the deletion that triggers it is still being answered.
 */
final class OwnerGarbageCollector implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OwnerGarbageCollector.class);

    private final KubernetesClient client;
    private final Function<String, List<String>> dependentsOf;
    private final Supplier<List<Discovery.ServedResource>> kinds;
    private volatile long workerId = -1;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mmalign-local-gc");
        t.setDaemon(true);
        workerId = t.getId();
        return t;
    });

    /**
     * @param dependentsOf the stored objects (JSON) that name an owner uid
     * @param kinds the kinds the server serves (to delete a dependent through its path)
     */
    OwnerGarbageCollector(KubernetesClient client, Function<String, List<String>> dependentsOf,
                          Supplier<List<Discovery.ServedResource>> kinds) {
        this.client = client;
        this.dependentsOf = dependentsOf;
        this.kinds = kinds;
    }

    /** The id of the collector's thread, or -1 before it first ran. */
    long threadId() {
        return workerId;
    }

    /** Schedules the deletion of the dependents of the object with this uid. */
    void ownerRemoved(String ownerUid) {
        if (!worker.isShutdown()) {
            worker.submit(() -> deleteDependents(ownerUid));
        }
    }

    private void deleteDependents(String ownerUid) {
        List<String> dependents = dependentsOf.apply(ownerUid);
        if (dependents.isEmpty()) {
            return;
        }
        List<Discovery.ServedResource> served = kinds.get();
        for (String json : dependents) {
            GenericKubernetesResource item = Serialization.unmarshal(json, GenericKubernetesResource.class);
            Optional<Discovery.ServedResource> kind = served.stream()
                    .filter(k -> k.groupVersion().equals(item.getApiVersion()) && k.kind().equals(item.getKind()))
                    .findFirst();
            if (kind.isEmpty()) {
                LOG.debugf("not collecting %s %s: a kind the server does not serve", item.getKind(),
                        item.getMetadata().getName());
                continue;
            }
            LOG.debugf("cascading delete of %s %s/%s (owner uid %s)", item.getKind(),
                    item.getMetadata().getNamespace(), item.getMetadata().getName(), ownerUid);
            try {
                if (kind.get().namespaced()) {
                    client.genericKubernetesResources(kind.get().context())
                            .inNamespace(item.getMetadata().getNamespace())
                            .withName(item.getMetadata().getName()).delete();
                } else {
                    client.genericKubernetesResources(kind.get().context())
                            .withName(item.getMetadata().getName()).delete();
                }
            } catch (KubernetesClientException e) {
                // One object failing (server closing, gone meanwhile) must not stop the others.
                LOG.debugf("garbage collection of %s for owner %s: %s", item.getMetadata().getName(), ownerUid,
                        e.getMessage());
            }
        }
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
