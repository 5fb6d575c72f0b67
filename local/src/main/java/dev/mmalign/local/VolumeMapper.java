package dev.mmalign.local;

import dev.mmalign.api.stage.PathMap;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each volume of a pod a local folder and maps the container's mounts onto them:
 * <ul>
 *   <li>persistentVolumeClaim → {@code <workDir>/volumes/<namespace>/<claimName>/} (shared by every pod of the
 *       namespace that mounts the claim, and kept after the pod, like a real volume);</li>
 *   <li>configMap / secret → {@code <podDir>/volumes/<volume>/} with one file per key (or per {@code items}
 *       entry), written when the pod starts (no live updates); a missing object fails the pod unless
 *       {@code optional};</li>
 *   <li>emptyDir (memory or disk) → {@code <podDir>/volumes/<volume>/}, fresh per pod;</li>
 *   <li>hostPath → the path itself (this machine is the host);</li>
 *   <li>anything else (projected, downwardAPI, csi, ...) → an empty folder, with a warning.</li>
 * </ul>
 * A mount's {@code subPath} selects a path below the volume's folder (created if missing). {@code readOnly} is
 * not enforced. The container's termination message file is mapped to {@code <podDir>/termination-log}.
 */
final class VolumeMapper {

    private static final Logger LOG = Logger.getLogger(VolumeMapper.class);
    static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

    /** The folders of one container and its termination message file. */
    record Mapped(PathMap paths, Path terminationMessageFile) {
    }

    private final KubernetesClient client;
    private final Path workDir;

    VolumeMapper(KubernetesClient client, Path workDir) {
        this.client = client;
        this.workDir = workDir;
    }

    /** Local folder of a claim: the same for every pod of the namespace that mounts it. */
    Path claimDir(String namespace, String claimName) {
        return workDir.resolve("volumes").resolve(namespace).resolve(claimName);
    }

    Mapped map(Pod pod, Container container, Path podDir) throws IOException {
        String ns = pod.getMetadata().getNamespace();
        Map<String, Path> volumeDirs = new HashMap<>();
        List<Volume> volumes = pod.getSpec().getVolumes() == null ? List.of() : pod.getSpec().getVolumes();
        for (Volume v : volumes) {
            volumeDirs.put(v.getName(), materialise(ns, v, podDir.resolve("volumes").resolve(v.getName())));
        }
        PathMap paths = new PathMap();
        List<VolumeMount> mounts = container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts();
        for (VolumeMount m : mounts) {
            Path dir = volumeDirs.get(m.getName());
            if (dir == null) {
                throw new IOException("volumeMount " + m.getName() + " names no volume of the pod");
            }
            if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
                dir = dir.resolve(m.getSubPath()).normalize();
                if (!Files.exists(dir)) {
                    Files.createDirectories(dir);
                }
            }
            paths.put(m.getMountPath(), dir);
        }
        String tmPath = container.getTerminationMessagePath() == null || container.getTerminationMessagePath().isEmpty()
                ? DEFAULT_TERMINATION_MESSAGE_PATH : container.getTerminationMessagePath();
        Path tmFile = podDir.resolve("termination-log");
        Files.createDirectories(podDir);
        Files.deleteIfExists(tmFile);
        Files.createFile(tmFile);
        paths.put(tmPath, tmFile);
        return new Mapped(paths, tmFile);
    }

    private Path materialise(String ns, Volume v, Path ownDir) throws IOException {
        if (v.getPersistentVolumeClaim() != null) {
            Path dir = claimDir(ns, v.getPersistentVolumeClaim().getClaimName());
            Files.createDirectories(dir);
            return dir;
        }
        if (v.getHostPath() != null) {
            return Path.of(v.getHostPath().getPath());
        }
        Files.createDirectories(ownDir);
        if (v.getConfigMap() != null) {
            String name = v.getConfigMap().getName();
            ConfigMap cm = client.configMaps().inNamespace(ns).withName(name).get();
            if (cm == null) {
                failUnlessOptional(v.getConfigMap().getOptional(), "configMap " + ns + "/" + name);
            } else {
                Map<String, byte[]> files = new HashMap<>();
                if (cm.getData() != null) {
                    cm.getData().forEach((k, val) -> files.put(k, val.getBytes(StandardCharsets.UTF_8)));
                }
                if (cm.getBinaryData() != null) {
                    cm.getBinaryData().forEach((k, val) -> files.put(k, Base64.getDecoder().decode(val)));
                }
                writeFiles(ownDir, files, v.getConfigMap().getItems());
            }
        } else if (v.getSecret() != null) {
            String name = v.getSecret().getSecretName();
            Secret s = client.secrets().inNamespace(ns).withName(name).get();
            if (s == null) {
                failUnlessOptional(v.getSecret().getOptional(), "secret " + ns + "/" + name);
            } else {
                Map<String, byte[]> files = new HashMap<>();
                if (s.getData() != null) {
                    s.getData().forEach((k, val) -> files.put(k, Base64.getDecoder().decode(val)));
                }
                if (s.getStringData() != null) {
                    s.getStringData().forEach((k, val) -> files.put(k, val.getBytes(StandardCharsets.UTF_8)));
                }
                writeFiles(ownDir, files, v.getSecret().getItems());
            }
        } else if (v.getEmptyDir() == null) {
            LOG.warnf("volume %s: this kind of volume is not supported locally, it is an empty folder", v.getName());
        }
        return ownDir;
    }

    /** Writes the keys as files; with {@code items}, only the listed keys, at their given relative paths. */
    private static void writeFiles(Path dir, Map<String, byte[]> files, List<KeyToPath> items) throws IOException {
        if (items == null || items.isEmpty()) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
            return;
        }
        for (KeyToPath item : items) {
            byte[] content = files.get(item.getKey());
            if (content == null) {
                throw new IOException("key " + item.getKey() + " not found for volume item " + item.getPath());
            }
            Path file = dir.resolve(item.getPath()).normalize();
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        }
    }

    private static void failUnlessOptional(Boolean optional, String what) throws IOException {
        if (!Boolean.TRUE.equals(optional)) {
            throw new IOException(what + " not found");
        }
    }
}
