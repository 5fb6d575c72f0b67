package dev.mmalign.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The class list the trainer's class-data archive is dumped from ({@link TrainerJvm}): the classes stage pods load, as
 * the JVM's {@code -XX:DumpLoadedClassList} writes them (one class a line, {@code @lambda-proxy} and
 * {@code @lambda-form-invoker} lines for the lambdas and method handles pods create). The trainer jar carries it at
 * {@code META-INF/mmalign/pod.classlist}; its build dumps the archive from it (trainer-image's pom).
 *
 * <p>Made from a whole quickstart in local mode, where every stage pod kind runs and reports its progress to the API
 * server, from the repository root:
 * <pre>
 *   java -jar local/target/mmalign-local.jar --work-dir /tmp/cl --pod-class-lists examples/quickstart
 *   java -cp local/target/mmalign-local.jar dev.mmalign.local.PodClassList /tmp/cl \
 *       trainer-image/src/main/resources/META-INF/mmalign/pod.classlist
 * </pre>
 * A list that names a class the trainer no longer has (renamed, or a library upgraded) breaks nothing: the dump skips
 * that class with a warning; trainer-image's {@code PodClassListTest} fails on it so that the list is remade.
 */
final class PodClassList {

    /** The file each pod writes in its folder under {@code --pod-class-lists} (relative: the pod's own folder). */
    static final String POD_FILE = "trainer.classlist";

    private PodClassList() {
    }

    /**
     * The lists of several pods as one: every line once, in the order first seen (a class after the classes its
     * pod loaded before it), without the JVM's comment header and without entries that exist only in the JVM run
     * that wrote them (dynamic proxies such as {@code jdk/proxy2/$Proxy9}, numbered per run).
     */
    static List<String> merge(Collection<List<String>> lists) {
        Set<String> merged = new LinkedHashSet<>();
        for (List<String> list : lists) {
            for (String line : list) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#") && !l.contains("$Proxy")) {
                    merged.add(l);
                }
            }
        }
        return new ArrayList<>(merged);
    }

    /** The lists the pods under {@code workDir} wrote ({@value #POD_FILE} in each pod's folder), merged. */
    static List<String> mergePods(Path workDir) throws IOException {
        List<List<String>> lists = new ArrayList<>();
        try (Stream<Path> files = Files.walk(workDir.resolve("pods"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals(POD_FILE)).sorted().toList()) {
                lists.add(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        if (lists.isEmpty()) {
            throw new IOException("no " + POD_FILE + " under " + workDir.resolve("pods")
                    + " (run local mode with --pod-class-lists first)");
        }
        return merge(lists);
    }

    /** {@code PodClassList WORK_DIR OUT}: writes the merged list of the pods of a {@code --pod-class-lists} run. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: PodClassList WORK_DIR OUT (see the class comment)");
            System.exit(2);
        }
        List<String> merged = mergePods(Path.of(args[0]));
        List<String> out = new ArrayList<>();
        out.add("# The classes local mode's stage pods load; made by dev.mmalign.local.PodClassList (see there).");
        out.addAll(merged);
        Files.write(Path.of(args[1]), out, StandardCharsets.UTF_8);
        System.out.printf("%d lines written to %s%n", merged.size(), args[1]);
    }
}
