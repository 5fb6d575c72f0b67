package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Installs the CustomResourceDefinitions found in a folder (every {@code *.yml} / {@code *.yaml}, e.g. the repo's
 * {@code crds/}) into an API server, creating or replacing each. Going through the API (not the store) matters:
 * the mock server only learns a kind's plural, scope and status subresource from a CRD POSTed to it.
 */
final class CrdInstaller {

    private CrdInstaller() {
    }

    static List<CustomResourceDefinition> install(KubernetesClient client, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("CRD folder not found: " + dir);
        }
        List<CustomResourceDefinition> installed = new ArrayList<>();
        for (Path file : yamlFiles(dir)) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata item : client.load(in).items()) {
                    if (item instanceof CustomResourceDefinition crd) {
                        installed.add(client.apiextensions().v1().customResourceDefinitions().resource(crd)
                                .createOr(NonDeletingOperation::update));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
        }
        if (installed.isEmpty()) {
            throw new IllegalArgumentException("no CustomResourceDefinition in " + dir);
        }
        return installed;
    }

    private static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
