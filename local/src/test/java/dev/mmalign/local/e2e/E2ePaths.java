package dev.mmalign.local.e2e;

import dev.mmalign.local.LocalExecutorConfig;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where the end-to-end tests find what they run: the repository root (crds/, examples/), the packaged operator
 * (quarkus-app) and the trainer jar (both built before this module: see its dependencies and the module order in the
 * root pom), and this module's runnable jar (built by {@code package} before failsafe runs).
 */
final class E2ePaths {

    private E2ePaths() {
    }

    static Path repoRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("crds")) && Files.isDirectory(p.resolve("operator"))) {
                return p;
            }
        }
        throw new IllegalStateException("repository root (with crds/) not found above " + Path.of("").toAbsolutePath());
    }

    /** The packaged operator: failsafe passes its folder; otherwise the module's default build folder. */
    static Path operatorApp() {
        String configured = System.getProperty("mmalign-operator-app");
        Path app = configured != null ? Path.of(configured) : repoRoot().resolve("operator/target/quarkus-app");
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            fail("packaged operator not found: " + app.resolve("quarkus-run.jar")
                    + " (the e2e tests run after package: mvn verify)");
        }
        return app;
    }

    /** The local command's jar: failsafe passes its path; otherwise the module's default build folder. */
    static Path localJar() {
        String configured = System.getProperty("mmalign-local-jar");
        Path jar = configured != null ? Path.of(configured) : repoRoot().resolve("local/target/mmalign-local.jar");
        if (!Files.isRegularFile(jar)) {
            fail("local command jar not found: " + jar + " (the e2e tests run after package: mvn verify)");
        }
        return jar;
    }

    static Path trainerJar() {
        Path jar = repoRoot().resolve(LocalExecutorConfig.DEFAULT_TRAINER_JAR);
        if (!Files.isRegularFile(jar)) {
            fail("trainer jar not found: " + jar + " — build trainer-image before local's verify"
                    + " (mvn -pl local -am verify builds it), or mvn -pl trainer-image -am package first");
        }
        return jar;
    }

    /** Scratch space of the e2e tests, inside this module's build folder (cleaned by mvn clean). */
    static Path workRoot() {
        return repoRoot().resolve("local/target/e2e");
    }

    /** A manifest folder of src/test/resources/e2e/. */
    static Path manifests(String name) {
        Path dir = repoRoot().resolve("local/src/test/resources/e2e").resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no manifests at " + dir);
        }
        return dir;
    }
}
