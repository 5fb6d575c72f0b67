package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;

/**
 * The Kubernetes API server of local mode: the Fabric8 mock server's CRUD store (indexed, {@link IndexedStore}),
 * served over plain HTTP bound to 127.0.0.1 only by {@link ApiFront}, which answers requests and watches in process
 * as kube-apiserver does, with the discovery answers kubectl needs ({@link Discovery}) and cascading deletion of
 * owned objects ({@link OwnerGarbageCollector}).
 *
 * <pre>{@code
 * try (EmbeddedApiServer api = EmbeddedApiServer.start(0)) {     // 0 = any free port
 *     api.installCrds(Path.of("crds"));
 *     KubernetesClient client = api.client();                    // or kubectl --server api.url()
 *     ...
 * }
 * }</pre>
 *
 * <p>Limits (those of the mock server): no admission webhooks (custom resources are validated against their CRDs: {@code CustomResourceAdmission}), no server-side apply (415), strategic
 * merge patches are refused (415: kubectl apply of an existing built-in object fails, custom resources are patched
 * with JSON merge patches), JSON merge patch of a built-in object appends to lists instead of replacing them, a
 * watch replays from a resourceVersion only the latest {@value WatchHub#LOG_SIZE} changes (older: 410 Expired), no
 * watch bookmarks, no server-side printing (kubectl shows NAME and AGE only), no authentication.
 */
public final class EmbeddedApiServer implements AutoCloseable {

    /** The mock server logs every request at INFO; kept in a field because JUL holds loggers weakly. */
    private static final java.util.logging.Logger REQUEST_LOG =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver.MockWebServer");

    static {
        REQUEST_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private final KubernetesMockServer server;
    private final ApiFront front;
    private final KubernetesClient client;
    private final OwnerGarbageCollector gc;
    private final LocalApiDispatcher dispatcher;

    private EmbeddedApiServer(KubernetesMockServer server, ApiFront front, LocalApiDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.front = front;
        this.client = newClient();
        Discovery discovery = new Discovery(dispatcher::storedCrds, "127.0.0.1:" + front.port());
        dispatcher.setDiscovery(discovery);
        this.gc = new OwnerGarbageCollector(client, dispatcher::dependentsOf, discovery::servedResources);
        dispatcher.setOnRemoved(gc::ownerRemoved);
    }

    /**
     * Starts a server on 127.0.0.1.
     *
     * @param port the port to listen on, or 0 for any free one (see {@link #port()})
     */
    public static EmbeddedApiServer start(int port) {
        LocalApiDispatcher dispatcher = new LocalApiDispatcher();
        KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
                new MockWebServer(), new HashMap<>(), dispatcher, false);
        dispatcher.setForgetRecorded(() -> {
            try {
                server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0); // behind the front, on any free port
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        ApiFront front;
        try {
            front = ApiFront.start(port, dispatcher, dispatcher::storedCrds);
        } catch (RuntimeException e) {
            server.destroy();
            throw e;
        }
        return new EmbeddedApiServer(server, front, dispatcher);
    }

    /** Installs (creates or replaces) the CRDs of every YAML file in {@code dir}; returns them as stored. */
    public List<CustomResourceDefinition> installCrds(Path dir) {
        return CrdInstaller.install(client, dir);
    }

    /** {@code http://127.0.0.1:PORT} — for kubectl {@code --server} and for {@link #newClient()}. */
    public String url() {
        return "http://127.0.0.1:" + front.port();
    }

    /**
     * From now on, keeps the method and path of every request (no bodies) until taken by {@link #takeRequests()}.
     * Off by default: a session's server keeps no request once it is answered.
     */
    public void recordRequests() {
        dispatcher.recordRequestLines();
    }

    /**
     * Takes the requests recorded since the last call, as "METHOD path?query" lines (none unless
     * {@link #recordRequests()} was called).
     */
    public List<String> takeRequests() {
        return dispatcher.takeRequestLines();
    }

    /**
     * Requests the mock server still holds in its own queue, taken off it: those in flight (for tests; every
     * answered request has been taken off already).
     */
    int heldRequests() {
        int held = 0;
        try {
            while (server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS) != null) {
                held++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return held;
    }

    /**
     * The ids of the threads of this process that have done the server's work so far (answering requests, sending
     * watch events, collecting garbage): operator-bench tells the server's CPU from its own client's with them.
     */
    public java.util.Set<Long> serverThreadIds() {
        java.util.Set<Long> ids = new java.util.HashSet<>(front.servingThreads());
        if (gc.threadId() >= 0) {
            ids.add(gc.threadId());
        }
        return ids;
    }

    /** Streamed watches (kubectl get -w) open now. */
    int openWatchStreams() {
        return front.openWatches();
    }

    public int port() {
        return front.port();
    }

    /** A client of this server shared by the embedded parts (default namespace "default"); closed with it. */
    public KubernetesClient client() {
        return client;
    }

    /**
     * Client settings for this server: no TLS, no credentials, HTTP/1.1, namespace "default", and a request timeout
     * of a minute: the first write of a custom resource definition loads the validator (CEL) on the server's one
     * event loop, which took over the default 10 s on a loaded 2-core machine.
     */
    public Config clientConfig() {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withNamespace("default")
                .withHttp2Disable(true).withTrustCerts(true).withRequestTimeout(60_000).build();
    }

    /** A new client of this server (e.g. for the operator, which closes its own). */
    public KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(clientConfig()).build();
    }

    @Override
    public void close() {
        gc.close();
        client.close();
        front.close();
        server.destroy();
    }
}
