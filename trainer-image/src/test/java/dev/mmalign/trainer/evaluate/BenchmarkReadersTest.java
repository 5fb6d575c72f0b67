package dev.mmalign.trainer.evaluate;

import dev.mmalign.api.bench.BenchmarkName;
import dev.mmalign.trainer.data.InvalidInputException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guards reading each benchmark's public file format, and file/line errors on malformed files. */
class BenchmarkReadersTest {

    @TempDir
    Path dir;
    Path images;

    @BeforeEach
    void setUp() throws Exception {
        images = Files.createDirectories(dir.resolve("images"));
        dev.mmalign.trainer.data.TestImages.png(images.resolve("a.jpg"));
    }

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void pope() throws Exception {
        Path f = file("pope.jsonl", "{\"question_id\":1,\"image\":\"a.jpg\",\"text\":\"Is there a dog?\",\"label\":\"no\"}\n");
        BenchmarkItem item = BenchmarkReaders.read(BenchmarkName.POPE, f, images, dir).get(0);
        assertEquals("1", item.id());
        assertEquals("no", item.answer());
        assertEquals(images.resolve("a.jpg"), item.image());
        Path bad = file("bad.jsonl", "{\"question_id\":1,\"image\":\"a.jpg\",\"text\":\"?\",\"label\":\"maybe\"}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.POPE, bad, images, dir));
        assertTrue(e.getMessage().startsWith(bad + ":1: label must be yes or no"));
    }

    @Test
    void mmbenchWithBase64ImagesAndWrongColumnCount() throws Exception {
        String b64 = Base64.getEncoder().encodeToString(new byte[] {9, 9});
        Path f = file("mmb.tsv", "index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\timage\n"
                + "7\tWhat colour?\tnan\tred\tblue\tnan\tnan\tB\tcolor\t" + b64 + "\n");
        BenchmarkItem item = BenchmarkReaders.read(BenchmarkName.MMBENCH, f, images, dir.resolve("scratch")).get(0);
        assertEquals(List.of("red", "blue"), item.options());
        assertEquals("B", item.answer());
        assertEquals(null, item.hint());
        assertEquals(2, Files.size(item.image()));
        Path bad = file("bad.tsv", "index\tquestion\tA\tB\tanswer\timage\n1\tq\tx\ty\tB\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.MMBENCH, bad, images, dir));
        assertTrue(e.getMessage().startsWith(bad + ":2: expected 6 columns"), e.getMessage());
    }

    @Test
    void mmVetLlavaBenchMtBenchAlpacaEvalAndExactMatch() throws Exception {
        Path mmvet = file("mm-vet.json", "{\"v1_0\":{\"imagename\":\"a.jpg\",\"capability\":[\"ocr\",\"math\"],"
                + "\"question\":\"q\",\"answer\":\"4<AND>5\"}}");
        file("mm-vet_grader_prompt.txt", "Grade.\n");
        BenchmarkItem v = BenchmarkReaders.read(BenchmarkName.MM_VET, mmvet, images, dir).get(0);
        assertEquals("4<AND>5", v.answer());
        assertEquals("ocr,math", v.tag(MmVetScore.CAPABILITIES));

        Files.createDirectories(dir.resolve("llava"));
        Path questions = file("llava/questions.jsonl", "{\"question_id\":0,\"image\":\"a.jpg\",\"text\":\"Describe.\","
                + "\"category\":\"detail\"}\n");
        file("llava/answers_gpt4.jsonl", "{\"question_id\":0,\"text\":\"A reference.\"}\n");
        file("llava/context.jsonl", "{\"image\":\"a.jpg\",\"caption\":[\"A cat.\"]}\n");
        file("llava/rule.json", "{\"llava_bench_detail\":{\"role\":\"Assistant\",\"prompt\":\"Rate.\"}}");
        assertEquals("A reference.", BenchmarkReaders.read(BenchmarkName.LLAVA_BENCH, questions, images, dir).get(0)
                .answer());

        Path mt = file("question.jsonl", "{\"question_id\":81,\"category\":\"math\",\"turns\":[\"t1\",\"t2\"],"
                + "\"reference\":[\"short\",\"short\"]}\n");
        Files.createDirectories(dir.resolve("reference_answer"));
        file("reference_answer/gpt-4.jsonl", "{\"question_id\":81,\"choices\":[{\"index\":0,\"turns\":[\"r1\","
                + "\"r2\"]}]}\n");
        Files.copy(TextBenchmarkFixtures.copyResources("mt-bench", dir.resolve("fastchat")).resolve(
                "judge_prompts.jsonl"), dir.resolve("judge_prompts.jsonl"));
        BenchmarkItem q = BenchmarkReaders.read(BenchmarkName.MT_BENCH, mt, null, dir).get(0);
        assertEquals(List.of("t1", "t2"), q.turns());
        assertEquals(List.of("r1", "r2"), q.referenceTurns(), "GPT-4's reference answers, not the short reference");

        Path alpaca = file("alpaca.json", "[{\"instruction\":\"i\",\"output\":\"o\",\"generator\":\"gpt4\"}]");
        TextBenchmarkFixtures.copyResources("alpaca-eval/alpaca_eval_gpt4", dir.resolve("alpaca_eval_gpt4"));
        assertEquals("o", BenchmarkReaders.read(BenchmarkName.ALPACA_EVAL, alpaca, null, dir).get(0).answer());

        Path em = file("em.jsonl", "{\"id\":\"x\",\"question\":\"2+2?\",\"answer\":\"4\"}\n{\"id\":\"y\"}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.EXACT_MATCH, em, null, dir));
        assertEquals(em + ":2: missing field \"question\"", e.getMessage());
    }

    @Test
    void aMissingBenchmarkImageNamesFileAndLine() throws Exception {
        Path f = file("pope.jsonl", "{\"question_id\":1,\"image\":\"zzz.jpg\",\"text\":\"?\",\"label\":\"no\"}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.POPE, f, images, dir));
        assertTrue(e.getMessage().startsWith(f + ":1: image 'zzz.jpg' not found"), e.getMessage());
    }

    @Test
    void aBenchmarkImageOutsideItsImageRootOrWithAHugeHeaderIsRefusedNamingTheLine() throws Exception {
        Files.writeString(dir.resolve("passwd"), "root:x:0:0\n");
        Path f = file("pope.jsonl", "{\"question_id\":1,\"image\":\"../passwd\",\"text\":\"?\",\"label\":\"no\"}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.POPE, f, images, dir));
        assertTrue(e.getMessage().startsWith(f + ":1: image: '../passwd' leaves the benchmark's imageRoot"), e.getMessage());

        dev.mmalign.trainer.data.TestImages.pngHeaderOnly(images.resolve("huge.png"), 20000, 20000);
        Path g = file("pope2.jsonl", "{\"question_id\":1,\"image\":\"huge.png\",\"text\":\"?\",\"label\":\"no\"}\n");
        e = assertThrows(InvalidInputException.class, () -> BenchmarkReaders.read(BenchmarkName.POPE, g, images, dir));
        assertTrue(e.getMessage().startsWith(g + ":1: image 'huge.png' is 20000×20000 pixels"), e.getMessage());
    }

    // ---- size limits, checked before reading ----

    /** A file that reports {@code size} bytes without taking the disk space (sparse). */
    private Path sparse(String name, long size) throws Exception {
        Path f = dir.resolve(name);
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
        return f;
    }

    @Test
    void aTsvOverTheFileSizeLimitIsRefusedBeforeItIsRead() throws Exception {
        Path big = sparse("huge.tsv", BenchmarkFiles.MAX_TSV_BYTES + 1);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.MMBENCH, big, images, dir));
        assertTrue(e.getMessage().startsWith(big + ": is " + (BenchmarkFiles.MAX_TSV_BYTES + 1) + " bytes, more than"),
                e.getMessage());
    }

    @Test
    void aJsonBenchmarkOverTheFileSizeLimitIsRefusedBeforeItIsRead() throws Exception {
        Path big = sparse("mm-vet.json", BenchmarkFiles.MAX_JSON_BYTES + 1);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.MM_VET, big, images, dir));
        assertTrue(e.getMessage().contains("limit for a JSON benchmark file"), e.getMessage());
    }

    @Test
    void aTsvRowOverTheRowLimitIsRefusedNamingItsLine() throws Exception {
        StringBuilder text = new StringBuilder("index\tquestion\tA\tB\tanswer\timage\n1\tq\tx\ty\tB\tAAAA\n2\tq\tx\ty\tA\t");
        text.append("A".repeat(BenchmarkFiles.MAX_TSV_ROW_CHARS + 1)).append('\n');
        Path f = file("long-row.tsv", text.toString());
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.MMBENCH, f, images, dir.resolve("scratch")));
        assertTrue(e.getMessage().startsWith(f + ":3: row is longer than"), e.getMessage());
    }

    @Test
    void aJsonlBenchmarkLineOverTheLineLimitIsRefusedNamingItsLine() throws Exception {
        Path f = file("pope-long.jsonl", "{\"question_id\":1,\"image\":\"a.jpg\",\"text\":\"?\",\"label\":\"no\"}\n{\"text\":\""
                + "x".repeat(dev.mmalign.trainer.data.JsonlReader.MAX_LINE_CHARS) + "\"}\n");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> BenchmarkReaders.read(BenchmarkName.POPE, f, images, dir));
        assertTrue(e.getMessage().startsWith(f + ":2: line is longer than"), e.getMessage());
    }
}
