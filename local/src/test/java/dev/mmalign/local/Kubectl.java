package dev.mmalign.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real kubectl against the embedded server, isolated from any kubeconfig or discovery cache of the
 * machine (an empty KUBECONFIG and a private cache folder), so the test sees what a newcomer's kubectl sees.
 */
final class Kubectl {

    record Result(int exitCode, String output) {
    }

    private final String server;
    private final Path home;

    Kubectl(String server, Path home) {
        this.server = server;
        this.home = home;
    }

    static boolean available() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                return true;
            }
        }
        return false;
    }

    Result run(String... args) throws IOException, InterruptedException {
        Process p = process(true, args);
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl " + String.join(" ", args) + " hung");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        System.out.println("$ kubectl " + String.join(" ", args) + "\n" + text);
        return new Result(p.exitValue(), text);
    }

    /** Starts a kubectl that runs until stopped (a watch): no request timeout; stdout and stderr together. */
    Process start(String... args) throws IOException {
        return process(false, args);
    }

    private Process process(boolean requestTimeout, String... args) throws IOException {
        Path kubeconfig = home.resolve("empty-kubeconfig");
        if (!Files.exists(kubeconfig)) {
            Files.createDirectories(home);
            Files.writeString(kubeconfig, "");
        }
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--server", server,
                "--cache-dir", home.resolve("cache").toString()));
        if (requestTimeout) {
            cmd.add("--request-timeout=20s");
        }
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", home.toString());
        return pb.start();
    }
}
