package dev.mmalign.local;

import dev.mmalign.api.stage.PathMap;
import dev.mmalign.api.stage.PodContract;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a pod into a local process — the kubelet's part: maps volumes to folders ({@link VolumeMapper}), resolves
 * the env ({@link ContainerEnv}), rewrites in-pod paths in arguments and env values ({@link PathMap}), maps the
 * program, and starts it ({@link PodProcess}).
 *
 * <p>Program: a command whose first element is {@code mmalign-trainer} runs {@code java [jvmArgs] -jar <trainerJar>}
 * with the remaining elements and the args; any other command runs as given, found on this machine's PATH. The
 * image is ignored. Only the first container of a pod runs (stage pods have one); init containers do not run.
 *
 * <p>Environment of the process: this JVM's environment (PATH, JAVA_HOME, DJL settings, ...), then the configured
 * extra variables, then the container's env (its values path-rewritten), then {@code HOSTNAME} = pod name and
 * {@value PathMap#ENV}. Working directory: the container's {@code workingDir} if a mount covers it, else the pod's
 * own folder.
 */
final class PodLauncher {

    private static final Logger LOG = Logger.getLogger(PodLauncher.class);

    private final LocalExecutorConfig config;
    private final VolumeMapper volumes;
    private final ContainerEnv containerEnv;

    PodLauncher(KubernetesClient client, LocalExecutorConfig config) {
        this.config = config;
        this.volumes = new VolumeMapper(client, config.workDir());
        this.containerEnv = new ContainerEnv(client);
    }

    Path logFile(String namespace, String podName) {
        return config.workDir().resolve("logs").resolve(namespace).resolve(podName + ".log");
    }

    Path podDir(String namespace, String podName) {
        return config.workDir().resolve("pods").resolve(namespace).resolve(podName);
    }

    PodProcess launch(Pod pod) {
        try {
            Launch l = prepare(pod);
            LOG.infof("pod %s/%s: %s", pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    String.join(" ", l.command()));
            return PodProcess.start(l.command(), l.env(), l.workingDir(), l.log(), l.terminationMessageFile(),
                    l.fallbackToLogsOnError());
        } catch (CannotStart e) {
            return PodProcess.failedToStart(e.getMessage(), e.log, e.terminationMessageFile);
        }
    }

    /** What a pod runs as on this machine: the process's command line, environment, folder and files. */
    record Launch(List<String> command, Map<String, String> env, Path workingDir, Path log,
                  Path terminationMessageFile, boolean fallbackToLogsOnError) {
    }

    /** Why a pod cannot start, with the files its failure is reported through. */
    static final class CannotStart extends Exception {
        final transient Path log;
        final transient Path terminationMessageFile;

        CannotStart(String message, Path log, Path terminationMessageFile) {
            super(message);
            this.log = log;
            this.terminationMessageFile = terminationMessageFile;
        }
    }

    /**
     * Resolves a pod the way the kubelet would before starting its container: volumes to folders, the env, in-pod
     * paths in arguments and env values rewritten, the program mapped. Nothing is started.
     */
    Launch prepare(Pod pod) throws CannotStart {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        Path podDir = podDir(ns, name);
        Path log = logFile(ns, name);
        List<Container> containers = pod.getSpec().getContainers();
        if (containers == null || containers.isEmpty()) {
            throw new CannotStart("pod has no container", log, null);
        }
        if (containers.size() > 1) {
            LOG.warnf("pod %s/%s: only the first of %d containers runs locally", ns, name, containers.size());
        }
        Container c = containers.get(0);
        VolumeMapper.Mapped mapped;
        try {
            mapped = volumes.map(pod, c, podDir);
        } catch (IOException | RuntimeException e) {
            throw new CannotStart(e.getMessage(), log, null);
        }
        try {
            PathMap paths = mapped.paths();
            Map<String, String> podEnv = containerEnv.resolve(pod, c);

            Map<String, String> env = new LinkedHashMap<>(System.getenv());
            env.putAll(config.extraEnv());
            podEnv.forEach((k, v) -> env.put(k, paths.rewrite(v)));
            env.put("HOSTNAME", name);
            env.put(PathMap.ENV, paths.toEnvValue());

            List<String> command = commandLine(c, podEnv, paths);
            if (command.isEmpty()) {
                throw new CannotStart("container " + c.getName()
                        + " has no command: images are not run locally, the command must be explicit", log,
                        mapped.terminationMessageFile());
            }
            if (isTrainer(c) && !java.nio.file.Files.isRegularFile(config.trainerJar())) {
                throw new CannotStart("trainer jar not found: " + config.trainerJar()
                        + " (build it: mvn -pl trainer-image package)", log, mapped.terminationMessageFile());
            }
            Path workingDir = c.getWorkingDir() == null || c.getWorkingDir().isEmpty() ? podDir
                    : paths.resolve(c.getWorkingDir()).orElse(podDir);
            return new Launch(command, env, workingDir, log, mapped.terminationMessageFile(),
                    "FallbackToLogsOnError".equals(c.getTerminationMessagePolicy()));
        } catch (IOException | RuntimeException e) {
            throw new CannotStart(e.getMessage(), log, null);
        }
    }

    /** Whether the container runs the trainer: its command's program is {@code mmalign-trainer} (any folder). */
    static boolean isTrainer(Container c) {
        return c.getCommand() != null && !c.getCommand().isEmpty()
                && Path.of(c.getCommand().get(0)).getFileName().toString().equals(PodContract.COMMAND);
    }

    /** command + args, $(VAR)-expanded, in-pod paths rewritten, the trainer mapped to its jar. */
    List<String> commandLine(Container c, Map<String, String> podEnv, PathMap paths) {
        List<String> words = new ArrayList<>();
        if (c.getCommand() != null) {
            words.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
            words.addAll(c.getArgs());
        }
        List<String> out = new ArrayList<>();
        for (String w : words) {
            out.add(paths.rewrite(ContainerEnv.expand(w, podEnv)));
        }
        if (isTrainer(c)) {
            List<String> java = new ArrayList<>();
            java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            java.addAll(config.trainerJvmArgs());
            java.add("-jar");
            java.add(config.trainerJar().toString());
            java.addAll(out.subList(1, out.size()));
            return java;
        }
        return out;
    }
}
