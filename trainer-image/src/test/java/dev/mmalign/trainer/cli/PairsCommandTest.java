package dev.mmalign.trainer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.data.Json;
import dev.mmalign.trainer.data.JsonlReader;
import dev.mmalign.trainer.data.PaperDpoPairs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The paper's DPO pair JSON (mllm-dpo's training file layout) comes in as our pair JSONL with its summed reference
 * log-probs, goes back out in their question/chosen/rejected form, and survives the round trip unchanged.
 */
class PairsCommandTest {

    @TempDir
    Path tmp;

    private Path fixture() throws Exception {
        Path file = tmp.resolve("paper.json");
        try (InputStream in = getClass().getResourceAsStream("/formats/mllm_dpo_pairs_shape.json")) {
            Files.copy(in, file);
        }
        return file;
    }

    private static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Test
    void importKeepsTheSummedReferenceLogProbsAndStripsTheImageToken() throws Exception {
        Path ours = tmp.resolve("pairs.jsonl");
        assertEquals(ExitCodes.SUCCESS, run("pairs", "import", fixture().toString(), ours.toString(),
                "--image-folder", "data/paper/images"));
        List<DpoPairRecord> pairs = JsonlReader.readAll(ours, DpoPairRecord.class, null);
        assertEquals(3, pairs.size());
        DpoPairRecord fromCsvRepr = pairs.get(0);
        assertEquals("pair-0", fromCsvRepr.id());
        assertEquals("Which objects are on the wooden table?", fromCsvRepr.prompt(),
                "the Python-dict question is parsed and its <image> token removed");
        assertEquals(List.of("data/paper/images/2356371.jpg"), fromCsvRepr.images());
        assertEquals("There is a cat sleeping on the table.", fromCsvRepr.rejected());
        assertEquals(-23.8125, fromCsvRepr.refChosenLogp());
        assertEquals(-31.25, fromCsvRepr.refRejectedLogp(), "ref_rej_logp, the summed one, not the average");
        DpoPairRecord conversation = pairs.get(2);
        assertEquals("Name a prime number.", conversation.prompt());
        assertEquals("7 is a prime number.", conversation.chosen());
        assertEquals(List.of(), conversation.images());
        assertNull(conversation.chosenScore());
    }

    @Test
    void exportWritesTheirFormAndTheRoundTripKeepsEveryPair() throws Exception {
        Path ours = tmp.resolve("pairs.jsonl");
        Path theirs = tmp.resolve("exported.json");
        Path again = tmp.resolve("again.jsonl");
        assertEquals(ExitCodes.SUCCESS, run("pairs", "import", fixture().toString(), ours.toString(),
                "--image-folder", "imgs"));
        assertEquals(ExitCodes.SUCCESS, run("pairs", "export", ours.toString(), theirs.toString(),
                "--image-folder", "imgs"));
        JsonNode exported = Json.MAPPER.readTree(theirs.toFile());
        JsonNode first = exported.get(0);
        assertEquals("2356371.jpg", first.get("image").asText(), "image names relative to their image folder");
        assertEquals("human", first.get("question").get("from").asText());
        assertEquals("<image>\nWhich objects are on the wooden table?", first.get("question").get("value").asText());
        assertEquals("gpt", first.get("chosen").get("from").asText());
        assertEquals(-23.8125, first.get("ref_win_logp").asDouble());
        assertEquals(-31.25, first.get("ref_rej_logp").asDouble());
        assertEquals("Name a prime number.", exported.get(2).get("question").get("value").asText(),
                "no image token for a text-only pair");
        assertFalse(exported.get(2).has("image"));

        assertEquals(ExitCodes.SUCCESS, run("pairs", "import", theirs.toString(), again.toString(),
                "--image-folder", "imgs"));
        assertEquals(JsonlReader.readAll(ours, DpoPairRecord.class, null),
                JsonlReader.readAll(again, DpoPairRecord.class, null));
        assertEquals(PaperDpoPairs.read(theirs, "imgs"), JsonlReader.readAll(ours, DpoPairRecord.class, null));
    }

    @Test
    void aBadRecordIsExitTwoNamingFileAndIndex() throws Exception {
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, """
                [{"question": {"from": "human", "value": "q"}, "chosen": {"from": "gpt", "value": "a"},
                  "rejected": {"from": "gpt", "value": "b"}},
                 {"question": {"from": "human", "value": "q"}, "chosen": {"from": "gpt", "value": "a"},
                  "rejected": {"from": "gpt", "value": "b"}, "ref_win_logp": -1.0}]""");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            assertEquals(ExitCodes.INVALID_INPUT, run("pairs", "import", bad.toString(),
                    tmp.resolve("o.jsonl").toString()));
        } finally {
            System.setErr(old);
        }
        String message = err.toString();
        assertEquals(true, message.contains("bad.json[1]: ref_win_logp and ref_rej_logp come together"), message);
    }
}
