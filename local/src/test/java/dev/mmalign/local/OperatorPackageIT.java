package dev.mmalign.local;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged operator (operator/target/quarkus-app: what the image copies) holds no local-mode class and no mock
 * server: local mode is this module, and runs that package as a process. A failsafe test, since it reads what
 * {@code package} built.
 */
class OperatorPackageIT {

    private static final List<String> LOCAL_MODE_PACKAGES = List.of("dev/mmalign/local/", "dev/mmalign/operator/local/");
    private static final List<String> MOCK_SERVER_PACKAGES = List.of("io/fabric8/kubernetes/client/server/mock/",
            "io/fabric8/mockwebserver/");

    @Test
    void operatorPackageHasNoLocalModeClassAndNoMockServer() throws IOException {
        Path app = operatorApp();
        List<Path> jars;
        try (Stream<Path> files = Files.walk(app)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        List<String> found = new ArrayList<>();
        int operatorClasses = 0;
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            if (name.contains("kubernetes-server-mock") || name.contains("mockwebserver")) {
                found.add(app.relativize(jar).toString());
            }
            try (JarFile j = new JarFile(jar.toFile())) {
                for (JarEntry e : j.stream().toList()) {
                    String entry = e.getName();
                    if (Stream.concat(LOCAL_MODE_PACKAGES.stream(), MOCK_SERVER_PACKAGES.stream())
                            .anyMatch(entry::startsWith)) {
                        found.add(app.relativize(jar) + "!" + entry);
                    }
                    if (entry.startsWith("dev/mmalign/operator/") && entry.endsWith(".class")) {
                        operatorClasses++;
                    }
                }
            }
        }
        // Guards the check itself: it looked into the operator's package, not an empty or wrong folder.
        assertTrue(operatorClasses > 0, "no operator class found under " + app + " (" + jars.size() + " jars)");
        assertEquals(List.of(), found, "local mode or the mock server in the packaged operator");
    }

    private static Path operatorApp() {
        String configured = System.getProperty("mmalign-operator-app");
        Path app = configured != null ? Path.of(configured) : TestPaths.repoRoot().resolve("operator/target/quarkus-app");
        assertTrue(Files.isRegularFile(app.resolve("quarkus-run.jar")),
                "packaged operator not found: " + app + " (it is built by package, before this test: mvn verify)");
        return app;
    }
}
