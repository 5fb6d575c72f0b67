package dev.mmalign.operator.k8s;

import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Points the operator's Kubernetes client at an embedded API server when {@value #PROPERTY} is set (local mode and
 * the end-to-end tests set it as a system property); does nothing otherwise, so a cluster deployment is unaffected.
 *
 * <p>The name is outside the {@code mmalign.} prefix on purpose: that prefix is a validated config mapping
 * ({@code OperatorSettings}) and rejects names it does not declare.
 *
 * <p>Why not {@code quarkus.kubernetes-client.api-server-url}: it is fixed at build time, so the packaged operator
 * could not be pointed at a server whose port is only known at run time.
 */
@Singleton
public class LocalApiServerTarget implements KubernetesConfigCustomizer {

    public static final String PROPERTY = "mmalign-local.api-server-url";

    private final Optional<String> url;

    public LocalApiServerTarget(@ConfigProperty(name = PROPERTY) Optional<String> url) {
        this.url = url;
    }

    @Override
    public void customize(Config config) {
        url.ifPresent(u -> {
            // The embedded server speaks plain HTTP/1.1 and has no authentication; kubeconfig or in-cluster
            // settings picked up by auto-configuration must not leak into local mode.
            config.setMasterUrl(u);
            config.setNamespace("default");
            config.setHttp2Disable(true);
            config.setTrustCerts(true);
            config.setOauthToken(null);
            config.setUsername(null);
            config.setPassword(null);
        });
    }
}
