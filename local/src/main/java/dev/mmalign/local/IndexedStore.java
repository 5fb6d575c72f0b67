package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReference;
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
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
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
import java.util.function.Consumer;
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
 * stale resourceVersion, finalizers); the index follows every change the store makes ({@link #processEvent}), and
 * so do the watches ({@link WatchHub}: each event serialised once, replayed from a resourceVersion) and the index of
 * dependents by owner uid that the garbage collector reads. A DELETE reads the index too. A request without any
 * indexed attribute (a path the store cannot parse) is answered by the store's scan.
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
    /** Objects by the uid of each of their owners (the garbage collector's look-up). */
    private final Map<String, LinkedHashSet<AttributeSet>> dependents = new HashMap<>();
    /** The owner uids each stored object is filed under. */
    private final Map<AttributeSet, List<String>> ownedBy = new HashMap<>();
    private final WatchHub watches = new WatchHub();
    /** The attributes of the paths seen last ({@link #getKey}); AttributeSets are never changed once made. */
    private final Map<String, AttributeSet> keys = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AttributeSet> eldest) {
            return size() > 4096;
        }
    };
    private volatile Consumer<String> onRemoved = uid -> { };

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

    /**
     * A DELETE, read through the index (the store scans every object): each matching object without finalizers
     * leaves the store; one with finalizers is marked for deletion once (deletionTimestamp, a new
     * resourceVersion). Answered as the store answers: the object as it was (404 when none) or, for a collection,
     * the list of those matched.
     */
    @Override
    public MockResponse handleDelete(String path) {
        return locked(lock.writeLock(), () -> {
            AttributeSet query = getKey(path);
            List<Map.Entry<AttributeSet, String>> found = matching(query, selectedLabels(path));
            if (found == null) {
                return super.handleDelete(path);
            }
            List<String> items = new ArrayList<>(found.size());
            for (Map.Entry<AttributeSet, String> e : found) {
                items.add(e.getValue());
                delete(path, query, e.getKey(), e.getValue());
            }
            if (query.containsKey(KubernetesAttributesExtractor.NAME)) {
                return items.isEmpty() ? new MockResponse().setResponseCode(HttpURLConnection.HTTP_NOT_FOUND)
                        : new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(items.get(0));
            }
            return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(
                    ((KubernetesResponseComposer) responseComposer).compose(items,
                            String.valueOf(lastResourceVersion.get())));
        });
    }

    /** The store's deletion of one object (its own is private): removed, or marked while finalizers remain. */
    private void delete(String path, AttributeSet query, AttributeSet key, String json) {
        GenericKubernetesResource resource = Serialization.unmarshal(json, GenericKubernetesResource.class);
        if (resource.getFinalizers().isEmpty()) {
            processEvent(path, query, key, null, null);
        } else if (!resource.isMarkedForDeletion()) {
            resource.getMetadata().setDeletionTimestamp(ZonedDateTime.now(ZoneOffset.UTC)
                    .truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            resource.getMetadata().setResourceVersion(String.valueOf(requestResourceVersion()));
            processEvent(path, query, key, resource, Serialization.asJson(resource));
        } // marked already and finalizers left: nothing changes
    }

    /**
     * The attributes a path selects, as the store computes them, remembered for the paths seen last: clients
     * repeat the same collection paths, and the store's parse (a URL, regular expressions) was a sixth of a
     * create's time.
     */
    @Override
    public AttributeSet getKey(String path) {
        synchronized (keys) {
            AttributeSet known = keys.get(path);
            if (known != null) {
                return known;
            }
        }
        AttributeSet parsed = attributeExtractor.fromPath(path);
        synchronized (keys) {
            keys.put(path, parsed);
        }
        return parsed;
    }

    @Override
    public void reset() {
        locked(lock.writeLock(), () -> {
            super.reset();
            files.clear();
            filedUnder.clear();
            dependents.clear();
            ownedBy.clear();
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
            AttributeSet query = getKey(path);
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
     * under its old attributes and joins them under its new ones, and the change goes to the watches
     * ({@link WatchHub}). The new attributes are computed as the store computes them, from the parsed object, which
     * is handed on so that the store does not parse it again. An object removed from the store gets a
     * resourceVersion of its own for its DELETED event, as in kube-apiserver (the store hands out none), so that a
     * watch resumed from a list's version sees the removal.
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
        String existing = oldAttributes == null ? null : map.get(oldAttributes);
        super.processEvent(path, pathAttributes, oldAttributes, parsed, newState);
        if (oldAttributes != null) {
            unfile(oldAttributes);
        }
        if (newAttributes != null) {
            file(newAttributes, parsed);
        }
        if (java.util.Objects.equals(existing, newState)) {
            return; // no change, no event (as the store's own watches)
        }
        if (newState == null) {
            GenericKubernetesResource gone = Serialization.unmarshal(existing, GenericKubernetesResource.class);
            long rv = requestResourceVersion();
            gone.getMetadata().setResourceVersion(String.valueOf(rv));
            watches.publish(new WatchHub.Change(rv, oldAttributes, null, null, Serialization.asJson(gone)));
            String uid = gone.getMetadata().getUid();
            if (uid != null && !uid.isEmpty()) {
                onRemoved.accept(uid);
            }
        } else {
            String rv = parsed.getMetadata().getResourceVersion();
            watches.publish(new WatchHub.Change(rv == null || rv.isEmpty() ? lastResourceVersion.get()
                    : Long.parseLong(rv), oldAttributes, newAttributes, newState, null));
        }
    }

    /** Files an object under its indexed attributes and under the uids of its owners. */
    private void file(AttributeSet attributes, GenericKubernetesResource object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        List<Attribute> under = indexedAttributes(attributes, labels == null ? List.of() : labels.keySet());
        for (Attribute a : under) {
            files.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(attributes);
        }
        filedUnder.put(attributes, under);
        List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
        if (owners != null && !owners.isEmpty()) {
            List<String> uids = new ArrayList<>(owners.size());
            for (OwnerReference o : owners) {
                if (o.getUid() != null) {
                    uids.add(o.getUid());
                    dependents.computeIfAbsent(o.getUid(), k -> new LinkedHashSet<>()).add(attributes);
                }
            }
            ownedBy.put(attributes, uids);
        }
    }

    private void unfile(AttributeSet attributes) {
        removeFrom(files, filedUnder.remove(attributes), attributes);
        removeFrom(dependents, ownedBy.remove(attributes), attributes);
    }

    /** Takes {@code attributes} out of {@code index}'s entries under {@code keys}, dropping entries left empty. */
    private static <K> void removeFrom(Map<K, LinkedHashSet<AttributeSet>> index, List<K> keys,
                                       AttributeSet attributes) {
        if (keys == null) {
            return;
        }
        for (K key : keys) {
            LinkedHashSet<AttributeSet> entry = index.get(key);
            if (entry != null) {
                entry.remove(attributes);
                if (entry.isEmpty()) {
                    index.remove(key);
                }
            }
        }
    }

    /**
     * The objects whose {@code metadata.ownerReferences} name {@code ownerUid}, as stored (JSON), in store order:
     * what the garbage collector deletes when that owner goes.
     */
    List<String> dependentsOf(String ownerUid) {
        return locked(lock.readLock(), () -> {
            List<String> out = new ArrayList<>();
            for (AttributeSet a : dependents.getOrDefault(ownerUid, new LinkedHashSet<>())) {
                out.add(map.get(a));
            }
            return out;
        });
    }

    /** Called with the uid of every object that leaves the store (with the write lock held: hand it on). */
    void setOnRemoved(Consumer<String> onRemoved) {
        this.onRemoved = onRemoved;
    }

    /**
     * Opens a watch of {@code pathAndQuery} (a watch request: its labelSelector, fieldSelector and
     * resourceVersion) whose events, one JSON line each, go to {@code sink}; null when it cannot be served (the
     * sink got an ERROR event). See {@link WatchHub} for what a watch gets.
     */
    WatchHub.Watch watch(String pathAndQuery, Consumer<String> sink) {
        return locked(lock.readLock(), () -> {
            AttributeSet query = getKey(pathAndQuery);
            String name = watchedName(pathAndQuery);
            if (name != null) {
                query = query.add(new Attribute(KubernetesAttributesExtractor.NAME, name)); // as the store's watch
            }
            String from = LocalApiDispatcher.queryParam(pathAndQuery, "resourceVersion");
            List<String> current = new ArrayList<>();
            if (from == null || from.isEmpty() || "0".equals(from)) {
                List<Map.Entry<AttributeSet, String>> found = matching(query, selectedLabels(pathAndQuery));
                if (found == null) {
                    AttributeSet q = query;
                    map.forEach((k, v) -> {
                        if (k.matches(q)) {
                            current.add(v);
                        }
                    });
                } else {
                    found.forEach(e -> current.add(e.getValue()));
                }
            }
            return watches.open(query, from, current, sink);
        });
    }

    /** The name a watch's {@code fieldSelector=metadata.name=x} names, or null. */
    private static String watchedName(String pathAndQuery) {
        String selector = LocalApiDispatcher.queryParam(pathAndQuery, "fieldSelector");
        if (selector == null) {
            return null;
        }
        for (String term : selector.split(",")) {
            String[] kv = term.split("==?", 2);
            if (kv.length == 2 && kv[0].trim().equals("metadata.name") && !term.contains("!=")) {
                return kv[1].trim();
            }
        }
        return null;
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
