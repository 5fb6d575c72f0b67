package dev.mmalign.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmalign.trainer.engine.model.LlavaConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The GPU check's own code path, run on CPU with tiny sizes so the script that calls it on a GPU cannot rot. */
class GpuCheckCommandTest {
    private static final Path LLAVA_7B = Path.of("..", "examples", "paper", "llava-1.5-7b-hf.config.json");

    @Test
    void cutKeepsTheRealShapeButTheLayerCounts() throws Exception {
        LlavaConfig full = LlavaConfig.read(LLAVA_7B);
        LlavaConfig cut = GpuCheckCommand.cut(full, 2, 3);
        assertEquals(2, cut.text().numLayers());
        assertEquals(3, cut.vision().numLayers());
        assertEquals(full.text().hiddenSize(), cut.text().hiddenSize());
        assertEquals(full.text().intermediateSize(), cut.text().intermediateSize());
        assertEquals(full.text().vocabSize(), cut.text().vocabSize());
        assertEquals(full.vision().imageSize(), cut.vision().imageSize());
    }

    @Test
    void onCpuItTrainsTheTinyModelAndPrintsStepTimeMemoryAndPlan() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = new CommandLine(new GpuCheckCommand(new PrintStream(buf, true, StandardCharsets.UTF_8)))
                .execute("--device", "cpu", "--steps", "2", "--batch", "1", "--text-bytes", "16");
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        Matcher m = Pattern.compile("gpu-check: model=\"tiny\" step_s=(\\S+) tokens_per_s=(\\S+) peak_gib=(\\S+)"
                + " plan_gib=(\\S+) plan_err_pct=(\\S+)").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Double.parseDouble(m.group(1)) > 0, out);
        assertTrue(Double.parseDouble(m.group(2)) > 0, out);
        assertTrue(Double.parseDouble(m.group(4)) > 0, out);
        assertTrue(out.contains("weights") && out.contains("backward peak"), out);
    }

    @Test
    void aMissingGpuOrAnUnknownDeviceIsExitTwo() {
        assertEquals(2, new CommandLine(new GpuCheckCommand()).execute("--device", "tpu"));
        // This machine's libtorch is the CPU build (PYTORCH_FLAVOR=cpu): asking for a GPU is refused, not a crash.
        if (ai.djl.engine.Engine.getInstance().getGpuCount() == 0) {
            assertEquals(2, new CommandLine(new GpuCheckCommand()).execute());
        }
    }
}
