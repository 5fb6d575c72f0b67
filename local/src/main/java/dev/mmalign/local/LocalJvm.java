package dev.mmalign.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * JVM options of local mode's own process, which {@code java -jar mmalign-local.jar} cannot carry: the command starts
 * a second JVM with them ({@link #command}) and waits for it. That process serves the embedded API server, runs the
 * executor and prints the progress; over a quickstart it compiled some 10,800 methods, C2 most of the time, for code
 * that runs a few thousand times (18.7 s of compilation, about as much as its 18.4 user + system CPU-s; JFR, default
 * options). As the operator and the stage pods do ({@link LocalModeSettings#operatorJvmOptions},
 * {@link TrainerJvm}): C1 only and the serial collector, so that it competes less with the claim preparation and the
 * pods for the two cores.
 *
 * <p>The user's own JVM options (from the command line) go to the second process after these, so that theirs win;
 * those from {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS} and {@code _JAVA_OPTIONS} reach it through the environment it inherits,
 * once. SIGTERM or Ctrl-C reaches it as before: Ctrl-C signals the terminal's whole process group, and this process's
 * shutdown hook sends SIGTERM to it and waits for it to stop (its own hook stops the preparation, the pods and the
 * operator).
 */
final class LocalJvm {

    /** Set on the second JVM: it runs the command itself. */
    static final String RUNS_HERE = "mmalign.local.jvm";

    private LocalJvm() {
    }

    /** C1 only and the serial collector: see the class comment. */
    static List<String> options() {
        return List.of(TrainerJvm.C1_ONLY, TrainerJvm.SERIAL_GC);
    }

    /** Whether this JVM runs the command (it is the second one), rather than starting it. */
    static boolean runsHere() {
        return System.getProperty(RUNS_HERE) != null;
    }

    /**
     * The second JVM's command line: {@code java}, {@link #options}, the user's JVM options, the marker, this class
     * path and main class, and the arguments.
     *
     * @param inputArguments this JVM's options as the runtime reports them (the environment's first)
     */
    static List<String> command(Path javaHome, List<String> inputArguments, Map<String, String> env,
                                String classPath, String mainClass, String[] args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.addAll(options());
        cmd.addAll(userOptions(inputArguments, env));
        cmd.add("-D" + RUNS_HERE + "=child");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /**
     * The options given on the command line: the runtime's input arguments without those that came from the
     * environment, which the second JVM reads from its environment again: {@code JAVA_TOOL_OPTIONS} and
     * {@code JDK_JAVA_OPTIONS} come first, {@code _JAVA_OPTIONS} last.
     */
    static List<String> userOptions(List<String> inputArguments, Map<String, String> env) {
        List<String> rest = new ArrayList<>(inputArguments);
        for (String option : tokens(env, "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS")) {
            if (!rest.isEmpty() && rest.get(0).equals(option)) {
                rest.remove(0);
            }
        }
        List<String> last = tokens(env, "_JAVA_OPTIONS");
        for (int i = last.size() - 1; i >= 0; i--) {
            if (!rest.isEmpty() && rest.get(rest.size() - 1).equals(last.get(i))) {
                rest.remove(rest.size() - 1);
            }
        }
        return rest;
    }

    private static List<String> tokens(Map<String, String> env, String... vars) {
        List<String> tokens = new ArrayList<>();
        for (String var : vars) {
            String value = env.get(var);
            if (value != null && !value.isBlank()) {
                tokens.addAll(Arrays.asList(value.trim().split("\\s+")));
            }
        }
        return tokens;
    }

    /** Starts the second JVM with this one's standard streams, waits for it, and returns its exit code. */
    static int runChild(List<String> command) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(command).inheritIO().start();
        Thread stop = new Thread(() -> {
            child.destroy(); // SIGTERM: its own shutdown hook stops everything it started
            try {
                child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "mmalign-local-stop-child");
        Runtime.getRuntime().addShutdownHook(stop);
        int code = child.waitFor();
        try {
            Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs and finds the child ended
        }
        return code;
    }
}
