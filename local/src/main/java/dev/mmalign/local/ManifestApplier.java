package dev.mmalign.local;

import io.fabric8.kubernetes.api.model.HasMetadata;
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
 * {@code kubectl apply -f} for local mode: reads the YAML documents of files and folders (a folder's
 * {@code *.yaml}/{@code *.yml} in name order, not recursive) and creates or replaces each object through the
 * Fabric8 client. CustomResourceDefinitions are skipped: local mode installs them from {@code crds/}, and the copies
 * beside the examples must not replace them.
 */
public final class ManifestApplier {

    private final KubernetesClient client;
    private final String defaultNamespace;

    public ManifestApplier(KubernetesClient client, String defaultNamespace) {
        this.client = client;
        this.defaultNamespace = defaultNamespace;
    }

    /** The objects the paths hold, in apply order. */
    public static List<HasMetadata> read(KubernetesClient client, List<Path> paths) {
        List<HasMetadata> out = new ArrayList<>();
        for (Path file : files(paths)) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata item : client.load(in).items()) {
                    if (item != null && !"CustomResourceDefinition".equals(item.getKind())) {
                        out.add(item);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return out;
    }

    /** Creates each object, or replaces it when it exists; returns what the server stored. */
    public List<HasMetadata> apply(List<HasMetadata> items) {
        List<HasMetadata> applied = new ArrayList<>();
        for (HasMetadata item : items) {
            String ns = item.getMetadata().getNamespace() != null ? item.getMetadata().getNamespace()
                    : defaultNamespace;
            item.getMetadata().setNamespace(ns);
            applied.add(client.resource(item).inNamespace(ns).createOr(NonDeletingOperation::update));
        }
        return applied;
    }

    static List<Path> files(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(f -> Files.isRegularFile(f) && isYaml(f)).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + p, e);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new IllegalArgumentException("no such file or folder: " + p);
            }
        }
        return files;
    }

    private static boolean isYaml(Path f) {
        String n = f.getFileName().toString();
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }
}
