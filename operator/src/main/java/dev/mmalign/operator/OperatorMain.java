package dev.mmalign.operator;

import dev.mmalign.operator.local.LocalCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

import java.util.Arrays;

/**
 * Entry point of {@code quarkus-run.jar}. With no arguments (the container image, the Helm chart) it runs the
 * operator as any Quarkus application does. {@code local ...} runs local mode instead: an embedded API server, a
 * local Job executor and this same operator on one machine ({@link LocalCommand}, DESIGN.md §7).
 */
@QuarkusMain
public final class OperatorMain {

    private OperatorMain() {
    }

    public static void main(String... args) {
        if (args.length > 0 && LocalCommand.NAME.equals(args[0])) {
            // Local mode must start its API server before Quarkus boots (the operator's client points at it).
            System.exit(LocalCommand.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        Quarkus.run(args);
    }
}
