package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesResponseComposer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.HttpURLConnection;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The object store of local mode's API server: the Fabric8 CRUD store with indexes. The store keeps each object
 * under the set of its attributes (plural, api, version, namespace, name, labels) and answers every GET, create,
 * update and patch by testing each stored object against the request's attributes: a locked scan of the whole store
 * per request, so a session with N objects cost O(N²) (at 1,000 runs, 9 in 10 of the server's CPU samples). Here
 * every stored object is also filed under each of its name, {@code metadata.name}, plural and label attributes; a
 * request is answered from the smallest file its attributes select, still tested with the store's own matching, so
 * the answers are the store's: the same objects, in the same order (the store's insertion order; a write moves the
 * object to the end, in the file too). A GET of one object, a write, or a list by kind or label selector costs
 * O(objects of that name, kind or label).
 *
 * <p>Writes go through the Fabric8 handlers unchanged (resourceVersion, generation, status subresource, 409 on a
 * stale resourceVersion, finalizers, watch events); the index follows every change the store makes
 * ({@link #processEvent}). Watches and DELETEs are the store's own (a DELETE still scans; deletions are rare);
 * a request without any indexed attribute (a path the store cannot parse) is answered by the store's scan.
 *
 * <p>Locking: this class's lock is taken around every call into the store (write lock for writes), outside the
 * store's own lock, so a read of the index never sees a write half done.
 */
final class IndexedStore extends KubernetesCrudDispatcher {

    /** How the store names label attributes (KubernetesAttributesExtractor's private constant). */
    private static final String LABEL_PREFIX = "labels:";
    /** Paths the store answers with an API resource list when no object matches (CustomResourceDefinitionProcessor). */
    private static final Pattern API_RESOURCES_PATH =
            Pattern.compile("/apis(/(?<group>[a-zA-Z0-9-_.]+))?(/(?<version>[a-zA-Z0-9-_]+))");

    /** The attributes (besides labels) an object is filed under: a request naming one reads only that file. */
    private static final List<String> INDEXED_KEYS = List.of(KubernetesAttributesExtractor.NAME,
            KubernetesAttributesExtractor.PLURAL, KubernetesAttributesExtractor.METADATA_NAME);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Objects by indexed attribute; each file in store order. */
    private final Map<Attribute, LinkedHashSet<AttributeSet>> files = new HashMap<>();
    /** The attributes each stored object is filed under (to take it out again). */
    private final Map<AttributeSet, List<Attribute>> filedUnder = new HashMap<>();
    /** The last resourceVersion handed out: lists carry it (the store keeps its counter private). */
    private final AtomicLong lastResourceVersion = new AtomicLong();

    @Override
    public MockResponse handleCreate(RecordedRequest request) {
        return locked(lock.writeLock(), () -> super.handleCreate(request));
    }

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        return locked(lock.writeLock(), () -> super.handleUpdate(request));
    }

    @Override
    public MockResponse handlePatch(RecordedRequest request) {
        return locked(lock.writeLock(), () -> super.handlePatch(request));
    }

    @Override
    public MockResponse handleDelete(String path) {
        return locked(lock.writeLock(), () -> super.handleDelete(path));
    }

    @Override
    public void reset() {
        locked(lock.writeLock(), () -> {
            super.reset();
            files.clear();
            filedUnder.clear();
            return null;
        });
    }

    /**
     * A GET: a watch is the store's; one object or a list is read through the index and answered as the store
     * answers it (one object or 404 when the path names one; otherwise a List with the store's resourceVersion).
     */
    @Override
    public MockResponse handleGet(String path) {
        if (isWatch(path)) {
            return super.handleGet(path);
        }
        return locked(lock.readLock(), () -> {
            AttributeSet query = attributeExtractor.fromPath(path);
            List<Map.Entry<AttributeSet, String>> found = matching(query, selectedLabels(path));
            if (found == null) {
                return super.handleGet(path);
            }
            if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
                return found.isEmpty() ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
                        : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK)
                                .setBody(found.get(0).getValue());
            }
            if (found.isEmpty() && API_RESOURCES_PATH.matcher(path).matches()) {
                return super.handleGet(path); // the store's API resource list for this group/version
            }
            List<String> items = new ArrayList<>(found.size());
            found.forEach(e -> items.add(e.getValue()));
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(
                    ((KubernetesResponseComposer) responseComposer).compose(items,
                            String.valueOf(lastResourceVersion.get())));
        });
    }

    /** The store's look-up for its write handlers (create's conflict check, update's and patch's current object). */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet attributes) {
        return locked(lock.readLock(), () -> {
            List<Map.Entry<AttributeSet, String>> found = matching(attributes, List.of());
            if (found == null) {
                return super.findResource(attributes);
            }
            return found.isEmpty() ? null : found.get(0);
        });
    }

    @Override
    public long requestResourceVersion() {
        long v = super.requestResourceVersion();
        lastResourceVersion.accumulateAndGet(v, Math::max);
        return v;
    }

    /**
     * Every change the store makes to its map passes here (under both write locks): the object leaves its files
     * under its old attributes and joins them under its new ones. The new attributes are computed as the store
     * computes them, from the parsed object, which is handed on so that the store does not parse it again.
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes,
                             GenericKubernetesResource resource, String newState) {
        GenericKubernetesResource parsed = resource != null || newState == null ? resource
                : Serialization.unmarshal(newState, GenericKubernetesResource.class);
        AttributeSet newAttributes = null;
        if (newState != null) {
            newAttributes = ((KubernetesAttributesExtractor) attributeExtractor).extract(parsed);
            if (!newAttributes.containsKey(KubernetesAttributesExtractor.PLURAL)) {
                newAttributes = AttributeSet.merge(pathAttributes, newAttributes); // as the store does
            }
        }
        super.processEvent(path, pathAttributes, oldAttributes, parsed, newState);
        if (oldAttributes != null) {
            for (Attribute a : filedUnder.getOrDefault(oldAttributes, List.of())) {
                LinkedHashSet<AttributeSet> file = files.get(a);
                if (file != null) {
                    file.remove(oldAttributes);
                    if (file.isEmpty()) {
                        files.remove(a);
                    }
                }
            }
            filedUnder.remove(oldAttributes);
        }
        if (newAttributes != null) {
            Map<String, String> labels = parsed.getMetadata().getLabels();
            List<Attribute> under = indexedAttributes(newAttributes, labels == null ? List.of() : labels.keySet());
            for (Attribute a : under) {
                files.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(newAttributes);
            }
            filedUnder.put(newAttributes, under);
        }
    }

    /**
     * The stored objects matching {@code query}, in store order, read from the smallest file one of its attributes
     * selects; null when it has no indexed attribute to select by (the caller then scans).
     */
    private List<Map.Entry<AttributeSet, String>> matching(AttributeSet query, Collection<String> labelKeys) {
        Collection<AttributeSet> smallest = null;
        for (Attribute a : indexedAttributes(query, labelKeys)) {
            if (a.getType() != AttributeType.WITH) {
                continue; // only an attribute an object must have selects a file
            }
            LinkedHashSet<AttributeSet> file = files.get(a);
            if (file == null) {
                return List.of(); // nothing has it, so nothing matches
            }
            if (smallest == null || file.size() < smallest.size()) {
                smallest = file;
            }
        }
        if (smallest == null) {
            return null;
        }
        List<Map.Entry<AttributeSet, String>> out = new ArrayList<>();
        for (AttributeSet candidate : smallest) {
            if (candidate.matches(query)) {
                out.add(new AbstractMap.SimpleImmutableEntry<>(candidate, map.get(candidate)));
            }
        }
        return out;
    }

    /**
     * The attributes of a set that objects are filed under: name, {@code metadata.name}, plural, and the labels
     * with the given keys. (AttributeSet keeps its map to itself, so each is looked up by key.)
     */
    private static List<Attribute> indexedAttributes(AttributeSet set, Collection<String> labelKeys) {
        List<Attribute> out = new ArrayList<>(3 + labelKeys.size());
        for (String key : INDEXED_KEYS) {
            Attribute a = set.getAttribute(key);
            if (a != null) {
                out.add(a);
            }
        }
        for (String label : labelKeys) {
            Attribute a = set.getAttribute(LABEL_PREFIX + label);
            if (a != null) {
                out.add(a);
            }
        }
        return out;
    }

    /** The label keys a GET's {@code labelSelector} requires to equal a value ({@code k=v}, {@code k==v}). */
    static List<String> selectedLabels(String path) {
        String selector = LocalApiDispatcher.queryParam(path, "labelSelector");
        if (selector == null) {
            return List.of();
        }
        List<String> keys = new ArrayList<>();
        for (String requirement : selector.split(",")) {
            int eq = requirement.indexOf('=');
            if (eq > 0 && requirement.charAt(eq - 1) != '!') {
                keys.add(requirement.substring(0, eq).trim());
            }
        }
        return keys;
    }

    private static boolean isWatch(String path) {
        int q = path.indexOf('?');
        return q >= 0 && path.indexOf("watch=true", q) >= 0;
    }

    private static <T> T locked(Lock l, Supplier<T> body) {
        l.lock();
        try {
            return body.get();
        } finally {
            l.unlock();
        }
    }
}
