package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * ws-watch-loss: opens many Fabric8 client watches against local mode's API server on existing objects, so that
 * every watch has first events to get, and counts the watches that lost some. Half the watches have no
 * resourceVersion (they start with an ADDED event of each of {@value #OBJECTS} objects), half start at a version
 * before {@value #OBJECTS} creates (the server replays them, as it does for an informer's watch that reconnects). A
 * watch has lost events when fewer than {@value #OBJECTS} came within {@value #WAIT_S} s (nothing else changes
 * meanwhile). Watches are opened from plain threads, as Fabric8 reopens an informer's watch. It prints:
 * <pre>
 * ws-watch-loss: watches=N threads=T ... lost_initial=a/x lost_replay=b/y events_lost=e first_lost=... wall_s=..
 * ws-watch-loss: websocket requests by calling thread: {...}            (see {@link WebSocketCalls})
 * ws-watch-loss: open_after_return_ms first=.. min=.. p1=.. p50=.. open_at_return=k
 * </pre>
 * The third line is the race's margin: how long after {@code webSocket(options)} returned each websocket was open.
 * The Fabric8 client attaches its message handlers right after that call returns; a websocket open before then
 * ({@code open_at_return}) loses the frames read meanwhile.
 *
 * <p>Not a timed measurement. Usage, from the repository root after
 * {@code mvn -B -o -pl local -am package -DskipTests} (under {@code flock /work/measure.lock}: it loads the CPUs):
 * <pre>java -cp local/target/mmalign-local.jar:local/target/test-classes dev.mmalign.local.WebSocketWatchLoss
 *     WATCHES THREADS [--client-per-watch] [--only-http-watches] [--held-return] [--informers COUNT]</pre>
 * <ul>
 *   <li>{@code --client-per-watch}: each watch (or informer) gets a client on a Vert.x of its own, as a fresh
 *       process has;</li>
 *   <li>{@code --only-http-watches}: the clients watch over streamed HTTP instead of websockets;</li>
 *   <li>{@code --held-return}: every websocket loses the race ({@link WebSocketCalls#withHeldReturn});</li>
 *   <li>{@code --informers COUNT}: informers instead of plain watches (see {@link #informers}); WATCHES unused.</li>
 * </ul>
 * Pinned to one CPU ({@code taskset -c 0}), beside busy loops there, the client's threads lose their CPU as on a
 * loaded machine.
 */
public final class WebSocketWatchLoss {

    static final int OBJECTS = 3;
    private static final int WAIT_S = 10;

    private WebSocketWatchLoss() {}

    public static void main(String[] args) throws Exception {
        int watches = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<String> flags = List.of(args);
        boolean clientPerWatch = flags.contains("--client-per-watch");
        boolean onlyHttp = flags.contains("--only-http-watches");
        boolean held = flags.contains("--held-return");
        long start = System.nanoTime();
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {
            KubernetesClient setup = api.client();
            for (int i = 0; i < OBJECTS; i++) {
                setup.configMaps().inNamespace("initial").resource(configMap("initial", "cm" + i)).create();
            }
            String from = setup.configMaps().inNamespace("replay").resource(configMap("replay", "marker")).create()
                    .getMetadata().getResourceVersion();
            for (int i = 0; i < OBJECTS; i++) {
                setup.configMaps().inNamespace("replay").resource(configMap("replay", "cm" + i)).create();
            }
            WebSocketCalls calls = held ? new WebSocketCalls().withHeldReturn(OBJECTS) : new WebSocketCalls();
            int informersAt = flags.indexOf("--informers");
            if (informersAt >= 0) {
                informers(api, calls, Integer.parseInt(args[informersAt + 1]), threads, clientPerWatch, onlyHttp);
                return;
            }
            Client shared = clientPerWatch ? null : new Client(api, calls, onlyHttp);
            AtomicInteger next = new AtomicInteger();
            AtomicInteger lostInitial = new AtomicInteger();
            AtomicInteger lostReplay = new AtomicInteger();
            AtomicInteger eventsLost = new AtomicInteger();
            Map<Integer, Integer> lostAt = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<java.util.concurrent.Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < watches; i = next.getAndIncrement()) {
                        boolean replay = i % 2 == 1;
                        Client c = clientPerWatch ? new Client(api, calls, onlyHttp) : shared;
                        try {
                            int got = watchOnce(c.kubernetes, replay ? "replay" : "initial", replay ? from : null);
                            if (got < OBJECTS) {
                                (replay ? lostReplay : lostInitial).incrementAndGet();
                                eventsLost.addAndGet(OBJECTS - got);
                                lostAt.put(i, got);
                            }
                        } finally {
                            if (clientPerWatch) {
                                c.close();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (var w : workers) {
                w.get();
            }
            pool.shutdown();
            if (shared != null) {
                shared.close();
            }
            double wall = (System.nanoTime() - start) / 1e9;
            System.out.printf("ws-watch-loss: watches=%d threads=%d client_per_watch=%s only_http=%s "
                    + "lost_initial=%d/%d lost_replay=%d/%d events_lost=%d first_lost=%s wall_s=%.1f%n",
                    watches, threads, clientPerWatch, onlyHttp, lostInitial.get(), (watches + 1) / 2,
                    lostReplay.get(), watches / 2, eventsLost.get(), lostAt.containsKey(0), wall);
            System.out.println("ws-watch-loss: websocket requests by calling thread: " + calls.byThreadKind());
            var margins = calls.openedAfterReturnMs();
            var sorted = margins.stream().sorted().toList();
            if (!sorted.isEmpty()) {
                System.out.printf("ws-watch-loss: open_after_return_ms first=%.3f min=%.3f p1=%.3f p50=%.3f "
                        + "open_at_return=%d%n", margins.get(0), sorted.get(0), sorted.get(sorted.size() / 100),
                        sorted.get(sorted.size() / 2), sorted.stream().filter(m -> m == 0).count());
            }
            if (!lostAt.isEmpty()) {
                System.out.println("ws-watch-loss: lost (watch index=events received): "
                        + new java.util.TreeMap<>(lostAt));
            }
        }
    }

    /**
     * Informers, as the operator runs them (list, then a websocket watch from the list's version): {@code count}
     * informers of one namespace start, {@code threads} at a time, while a writer creates objects there, so that
     * changes fall between lists and watches and right after watches open. Then the writer stops and each
     * informer's cache must reach every object; an informer short of some lost events (it would not list again).
     */
    private static void informers(EmbeddedApiServer api, WebSocketCalls calls, int count, int threads,
            boolean clientPerInformer, boolean onlyHttp) throws Exception {
        long start = System.nanoTime();
        Client shared = clientPerInformer ? null : new Client(api, calls, onlyHttp);
        List<Client> clients = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<io.fabric8.kubernetes.client.informers.SharedIndexInformer<ConfigMap>> started =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        Thread writer = new Thread(() -> {
            KubernetesClient w = api.client();
            while (writing.get()) {
                w.configMaps().inNamespace("churn").resource(configMap("churn", "w" + written.get())).create();
                written.incrementAndGet();
            }
        }, "writer");
        writer.start();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<java.util.concurrent.Future<?>> starts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            starts.add(pool.submit(() -> {
                Client c = clientPerInformer ? new Client(api, calls, onlyHttp) : shared;
                if (clientPerInformer) {
                    clients.add(c);
                }
                var informer = c.kubernetes.configMaps().inNamespace("churn").runnableInformer(0);
                informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
                started.add(informer);
                return null;
            }));
        }
        for (var f : starts) {
            f.get();
        }
        writing.set(false);
        writer.join();
        pool.shutdown();
        int objects = written.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int missing;
        do {
            missing = (int) started.stream().filter(inf -> inf.getStore().list().size() < objects).count();
            if (missing > 0) {
                Thread.sleep(100); // polling caches that should already be complete; the deadline bounds it
            }
        } while (missing > 0 && System.nanoTime() < deadline);
        int eventsMissing = started.stream().mapToInt(inf -> objects - inf.getStore().list().size()).sum();
        System.out.printf("ws-watch-loss: informers=%d threads=%d client_per_informer=%s only_http=%s objects=%d "
                + "informers_missing_objects=%d objects_missing=%d wall_s=%.1f%n", count, threads,
                clientPerInformer, onlyHttp, objects, missing, eventsMissing, (System.nanoTime() - start) / 1e9);
        System.out.println("ws-watch-loss: websocket requests by calling thread: " + calls.byThreadKind());
        started.forEach(io.fabric8.kubernetes.client.informers.SharedIndexInformer::close);
        clients.forEach(Client::close);
        if (shared != null) {
            shared.close();
        }
    }

    /** One watch: opened, held until its {@value #OBJECTS} first events came (or {@value #WAIT_S} s), closed. */
    private static int watchOnce(KubernetesClient client, String ns, String from) throws InterruptedException {
        CountDownLatch events = new CountDownLatch(OBJECTS);
        Watcher<ConfigMap> watcher = new Watcher<>() {
            @Override
            public void eventReceived(Action action, ConfigMap resource) {
                if (!"marker".equals(resource.getMetadata().getName())) {
                    events.countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // counted as lost events if it closed before they came
            }
        };
        var options = new ListOptionsBuilder().withResourceVersion(from).build();
        try (Watch ignored = client.configMaps().inNamespace(ns).watch(options, watcher)) {
            events.await(WAIT_S, TimeUnit.SECONDS);
        }
        return OBJECTS - (int) events.getCount();
    }

    /** A Fabric8 client of the server on a Vert.x of its own (as Fabric8 makes one per client), observed. */
    private static final class Client implements AutoCloseable {
        final Vertx vertx = Vertx.vertx(new VertxOptions().setUseDaemonThread(true));
        final KubernetesClient kubernetes;

        Client(EmbeddedApiServer api, WebSocketCalls calls, boolean onlyHttp) {
            var config = api.clientConfig();
            config.setOnlyHttpWatches(onlyHttp);
            kubernetes = new KubernetesClientBuilder().withConfig(config)
                    .withHttpClientFactory(new VertxHttpClientFactory(calls.observing(vertx))).build();
        }

        @Override
        public void close() {
            kubernetes.close();
            vertx.close();
        }
    }

    private static ConfigMap configMap(String ns, String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .addToData("k", "v").build();
    }
}
