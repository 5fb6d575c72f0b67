package dev.mmalign.operator.testing;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** The tests' own API client, marked by its User-Agent so that its requests are not mistaken for the operator's. */
public final class TestClients {

    public static final String USER_AGENT = "mmalign-test-client";

    private TestClients() {}

    public static KubernetesClient forTests(KubernetesClient operatorClient) {
        return new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder(operatorClient.getConfiguration()).withUserAgent(USER_AGENT).build())
                .build();
    }
}
