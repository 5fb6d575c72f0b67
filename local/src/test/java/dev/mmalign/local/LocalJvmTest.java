package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The second JVM local mode runs in: C1 only and the serial collector, then the user's own JVM options (so that
 * theirs win), the marker that makes it run the command rather than start another, and the same class path, main
 * class and arguments; options that came from the environment are not repeated (the second JVM reads them again).
 */
class LocalJvmTest {

    @Test
    void commandCarriesOurOptionsThenTheUsersThenTheSameProgram() {
        List<String> cmd = LocalJvm.command(Path.of("/jdk"), List.of("-Xmx2g", "-Dfoo=bar"), Map.of(),
                "local/target/mmalign-local.jar", "dev.mmalign.local.LocalCommand",
                new String[] {"--work-dir", "/tmp/w", "examples/quickstart"});
        assertEquals(List.of(Path.of("/jdk", "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xmx2g", "-Dfoo=bar", "-Dmmalign.local.jvm=child", "-cp",
                "local/target/mmalign-local.jar", "dev.mmalign.local.LocalCommand", "--work-dir", "/tmp/w",
                "examples/quickstart"), cmd);
    }

    @Test
    void optionsFromTheEnvironmentAreLeftToTheEnvironment() {
        Map<String, String> env = Map.of("JAVA_TOOL_OPTIONS", " -Da=1  -Db=2 ", "JDK_JAVA_OPTIONS", "-Dc=3",
                "_JAVA_OPTIONS", "-Dz=9");
        // As the runtime reports them: JAVA_TOOL_OPTIONS, then JDK_JAVA_OPTIONS, the command line, _JAVA_OPTIONS.
        List<String> input = List.of("-Da=1", "-Db=2", "-Dc=3", "-Xmx1g", "-Da=1", "-Dz=9");
        assertEquals(List.of("-Xmx1g", "-Da=1"), LocalJvm.userOptions(input, env));
    }

    @Test
    void withoutEnvironmentOptionsEveryInputArgumentIsTheUsers() {
        assertEquals(List.of("-Da=1"), LocalJvm.userOptions(List.of("-Da=1"), Map.of("JAVA_TOOL_OPTIONS", " ")));
        assertEquals(List.of(), LocalJvm.userOptions(List.of(), Map.of()));
    }
}
