package dev.mmalign.trainer.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards the entry point's command list: every stage of DESIGN.md §4 and the quickstart are reachable. */
class StageCommandsTest {

    @Test
    void everyStageAndTheQuickstartAreSubcommands() {
        CommandLine cli = new CommandLine(new Main());
        for (String name : List.of("sample", "annotate", "build", "train", "evaluate", "quickstart", "bench")) {
            assertTrue(cli.getSubcommands().containsKey(name), name);
        }
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("train", "--help"));
        assertTrue(out.toString().contains("--spec"), out.toString());
        assertEquals(0, cli.execute("quickstart", "--help"));
        assertTrue(out.toString().contains("--out"), out.toString());
    }

    @Test
    void trainWithoutSpecIsAUsageError() {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(new StringWriter()));
        assertEquals(2, cli.execute("train"));
    }
}
