package dev.mmalign.trainer.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Guards the CLI entry point: command name, the bench subcommand and its options. */
class MainTest {
    @Test
    void mainDispatchesToBench() {
        CommandLine cli = new CommandLine(new Main());
        assertEquals("mmalign-trainer", cli.getCommandName());
        assertTrue(cli.getSubcommands().containsKey("bench"));
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("bench", "--help"));
        assertTrue(out.toString().contains("--rss-steps"), out.toString());
    }

    @Test
    void unknownOptionIsAUsageError() {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("bench", "--no-such-option"));
    }
}
