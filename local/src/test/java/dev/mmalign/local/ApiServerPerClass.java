package dev.mmalign.local;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One embedded API server for a whole test class, on a free port, with a client pointed at it; register it as a
 * static {@code @RegisterExtension} field. With {@link #withCrds()} the repository's {@code crds/} are installed first.
 */
final class ApiServerPerClass implements BeforeAllCallback, AfterAllCallback {

    private final boolean crds;
    private EmbeddedApiServer api;
    private KubernetesClient client;

    private ApiServerPerClass(boolean crds) {
        this.crds = crds;
    }

    /** A server without custom resource definitions. */
    static ApiServerPerClass bare() {
        return new ApiServerPerClass(false);
    }

    /** A server with the repository's CRDs installed. */
    static ApiServerPerClass withCrds() {
        return new ApiServerPerClass(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        api = EmbeddedApiServer.start(0);
        if (crds) {
            api.installCrds(TestPaths.repoRoot().resolve("crds"));
        }
        client = api.client();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        api.close();
    }

    EmbeddedApiServer api() {
        return api;
    }

    KubernetesClient client() {
        return client;
    }
}
