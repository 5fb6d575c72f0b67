package dev.mmalign.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The class list local mode dumps its pods' class-data archive from ({@code META-INF/mmalign/pod.classlist}, made
 * and read by local mode's {@code PodClassList}) names only classes the trainer has: a class renamed or dropped
 * since the list was made would quietly fall out of the archive (the dump skips it with a warning), so the list is
 * remade when this fails (the command is in {@code PodClassList}'s comment). It also covers what every pod loads: the
 * stage command, the progress reporter and its Kubernetes client.
 */
class PodClassListTest {

    static final String RESOURCE = "META-INF/mmalign/pod.classlist";

    @Test
    void everyClassTheListNamesExists() throws IOException {
        List<String> missing = new ArrayList<>();
        Set<String> names = classNames(list());
        for (String name : names) {
            if (ClassLoader.getSystemClassLoader().getResource(name + ".class") == null) {
                missing.add(name);
            }
        }
        assertEquals(List.of(), missing, "classes the pod class list names that the trainer no longer has: remake"
                + " the list (see dev.mmalign.local.PodClassList)");
        assertTrue(names.contains("dev/mmalign/trainer/cli/Main"), "the trainer's entry point");
        assertTrue(names.contains("dev/mmalign/trainer/progress/KubernetesProgressReporter"), "progress to the API");
        assertTrue(names.contains("io/fabric8/kubernetes/client/KubernetesClientBuilder"), "its client");
    }

    /**
     * The classes a list line names: a class line's class; a lambda proxy's caller and implementation class (its
     * second and, after the {@code REF_} kind, its seventh token). {@code @lambda-form-invoker} lines name the JDK's
     * own holder classes.
     */
    static Set<String> classNames(List<String> list) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : list) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.startsWith("@lambda-form-invoker")) {
                continue;
            }
            String[] t = l.split(" ");
            if (t[0].equals("@lambda-proxy")) {
                names.add(t[1]);
                if (!t[6].startsWith("[")) { // an array type's method (clone) names no class file
                    names.add(t[6]);
                }
            } else {
                names.add(t[0]);
            }
        }
        return names;
    }

    private static List<String> list() throws IOException {
        try (InputStream in = PodClassListTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            assertNotNull(in, RESOURCE + " is not on the trainer's class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
