package dev.mmalign.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pods' class list: the lists of several pods merge into one with every entry once, in first-seen order, without
 * comments and the per-run proxy classes.
 */
class PodClassListTest {
    @TempDir Path dir;

    @Test
    void podListsMergeInFirstSeenOrderWithoutCommentsAndProxies() {
        List<String> annotate = List.of("# NOTE: Do not modify this file.", "java/lang/Object",
                "dev/mmalign/trainer/cli/Main", "jdk/proxy2/$Proxy9",
                "@lambda-proxy dev/mmalign/A run ()Ljava/lang/Runnable; ()V REF_invokeStatic dev/mmalign/A lambda$0 ()V ()V");
        List<String> train = List.of("java/lang/Object", "dev/mmalign/trainer/cli/Main", "",
                "dev/mmalign/trainer/engine/train/TrainingLoop",
                "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.DirectMethodHandle$Holder invokeStatic L7_L");
        assertEquals(List.of("java/lang/Object", "dev/mmalign/trainer/cli/Main",
                "@lambda-proxy dev/mmalign/A run ()Ljava/lang/Runnable; ()V REF_invokeStatic dev/mmalign/A lambda$0 ()V ()V",
                "dev/mmalign/trainer/engine/train/TrainingLoop",
                "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.DirectMethodHandle$Holder invokeStatic L7_L"),
                PodClassList.merge(List.of(annotate, train)));
    }

    @Test
    void thePodsOfARunAreMergedAndNoListsIsAnError() throws Exception {
        Path work = dir.resolve("work");
        Files.createDirectories(work.resolve("pods/default/a"));
        Files.createDirectories(work.resolve("pods/default/b"));
        Files.write(work.resolve("pods/default/a").resolve(PodClassList.POD_FILE), List.of("A", "B"));
        Files.write(work.resolve("pods/default/b").resolve(PodClassList.POD_FILE), List.of("B", "C"));
        assertEquals(List.of("A", "B", "C"), PodClassList.mergePods(work));

        Path none = Files.createDirectories(dir.resolve("none/pods/default/a"));
        IOException e = assertThrows(IOException.class, () -> PodClassList.mergePods(none.getParent().getParent()
                .getParent()));
        assertTrue(e.getMessage().contains("--pod-class-lists"), e.getMessage());
    }
}
