package dev.mmalign.local;

import dev.mmalign.api.stage.PathMap;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PodLauncherTest {

    /** Guards the program mapping of stage pods: {@code mmalign-trainer <stage> --spec /etc/mmalign/stage.json}
     * runs the trainer jar with this JVM's java, with JVM options first and the spec path mapped locally. */
    @Test
    void trainerCommandRunsTheTrainerJarWithMappedPaths() {
        LocalExecutorConfig config = LocalExecutorConfig.defaults(Path.of("/repo"), Path.of("/w"))
                .withTrainerJar(Path.of("/repo/trainer.jar"), List.of("-Xmx1g"));
        PodLauncher launcher = new PodLauncher(null, config);
        PathMap paths = new PathMap();
        paths.put("/etc/mmalign", Path.of("/w/pods/ns/p/volumes/stage-spec"));
        Container c = new ContainerBuilder().withName("main")
                .withCommand("mmalign-trainer", "sample", "--spec", "/etc/mmalign/stage.json")
                .withArgs("--shard=$(SHARD)").build();

        List<String> cmd = launcher.commandLine(c, Map.of("SHARD", "1"), paths);

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertEquals(List.of(java, "-Xmx1g", "-jar", "/repo/trainer.jar", "sample", "--spec",
                "/w/pods/ns/p/volumes/stage-spec/stage.json", "--shard=1"), cmd);
    }

    /** Guards that any other command runs as given (after $(VAR) expansion), e.g. the tests' sh -c scripts. */
    @Test
    void otherCommandsRunAsGiven() {
        PodLauncher launcher = new PodLauncher(null, LocalExecutorConfig.defaults(Path.of("/repo"), Path.of("/w")));
        Container c = new ContainerBuilder().withName("main").withCommand("sh", "-c", "echo $(A) $$(A) $HOME").build();
        assertEquals(List.of("sh", "-c", "echo x $(A) $HOME"), launcher.commandLine(c, Map.of("A", "x"), new PathMap()));
    }
}
