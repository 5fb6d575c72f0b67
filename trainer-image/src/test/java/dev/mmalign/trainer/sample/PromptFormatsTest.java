package dev.mmalign.trainer.sample;

import dev.mmalign.api.dataset.PromptFormat;
import dev.mmalign.api.dataset.PromptSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.trainer.data.ClaimPaths;
import dev.mmalign.trainer.data.InvalidInputException;
import dev.mmalign.trainer.data.PromptRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Public prompt files are read as published (slices of the real files under {@code test/resources/formats}, with
 * synthetic images under the names they use): LLaVA conversation JSON, LRV-Instruction's evaluation set and
 * SciGraphQA's LLaVA-style questions. A bad record is invalid input naming the file and the line or array index.
 */
class PromptFormatsTest {

    @TempDir
    Path root;
    ClaimPaths claim;

    @BeforeEach
    void setUp() {
        claim = new ClaimPaths(root);
    }

    private void fixture(String name, String to) throws Exception {
        Path target = root.resolve(to);
        Files.createDirectories(target.getParent());
        try (InputStream in = getClass().getResourceAsStream("/formats/" + name)) {
            Files.copy(in, target);
        }
    }

    private void image(String relative, String type) throws Exception {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        ImageIO.write(new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB), type, file.toFile());
    }

    private List<PromptRecord> select(String path, PromptFormat format, String imageRoot) {
        PromptSource source = new PromptSource();
        source.name = "src";
        source.path = path;
        source.format = format;
        source.imageRoot = imageRoot;
        PromptsSpec spec = new PromptsSpec();
        spec.sources = List.of(source);
        spec.imageRoot = imageRoot;
        return PromptSelection.select(spec, claim, root.resolve("spec.json"));
    }

    private static Map<String, PromptRecord> byId(List<PromptRecord> prompts) {
        return prompts.stream().collect(Collectors.toMap(PromptRecord::id, Function.identity()));
    }

    @Test
    void lrvInstructionEvaluationSetIsReadAsPublished() throws Exception {
        fixture("lrv_evaluation_set_slice.json", "lrv/evaluation_set.json");
        for (String id : List.of("2356371", "2349204", "2386077", "2341310", "2347365", "2367527")) {
            image("lrv/VG_100K/" + id + ".jpg", "jpg");
        }
        List<PromptRecord> prompts = select("lrv/evaluation_set.json", PromptFormat.LRV_INSTRUCTION, "lrv/VG_100K");
        assertEquals(7, prompts.size());
        PromptRecord first = prompts.get(0);
        assertEquals("2356371-0", first.id(), "image id and array index: one image carries several questions");
        assertEquals("2356371.jpg", first.image());
        assertEquals("Which objects are on the wooden table?", first.question());
        assertEquals("src", first.source());
        Map<String, PromptRecord> ids = byId(prompts);
        assertEquals("Identify the key elements present in the diagram.", ids.get("2367527-6").question());
        assertEquals("2367527.jpg", ids.get("2367527-5").image());
    }

    @Test
    void sciGraphQaLlavaStyleQuestionsAreReadAsPublished() throws Exception {
        fixture("scigraphqa_llava_eval_slice.jsonl", "sci/questions.jsonl");
        for (String f : List.of("1801.01974v2-Figure10-1", "1801.05671v1-Figure9-1", "2004.06653v1-Figure9-1",
                "1803.06598v1-Figure8-1", "2004.04071v2-Figure7-1")) {
            image("sci/imgs/" + f + ".png", "png");
        }
        List<PromptRecord> prompts = select("sci/questions.jsonl", PromptFormat.SCIGRAPHQA, "sci/imgs");
        assertEquals(5, prompts.size());
        PromptRecord p = byId(prompts).get("0");
        assertEquals("What is the difference between the two graphs in Figure 10?", p.question());
        assertEquals("1801.01974v2-Figure10-1.png", p.image());
        assertNull(p.goldAnswer());
    }

    @Test
    void llavaConversationJsonGivesQuestionWithoutImageTokenAndTheGptTurnAsGoldAnswer() throws Exception {
        fixture("llava_finetune_custom_data_sample.json", "llava/data.json");
        image("llava/images/part-000001/997bb945-628d-4724-b370-b84de974a19f.jpg", "jpg");
        List<PromptRecord> prompts = select("llava/data.json", PromptFormat.LLAVA, "llava/images");
        PromptRecord p = prompts.get(0);
        assertEquals("997bb945-628d-4724-b370-b84de974a19f", p.id());
        assertEquals("Write a prompt for Stable Diffusion to generate this image.", p.question());
        assertTrue(p.goldAnswer().startsWith("a beautiful painting of chernobyl by nekro"));
        assertEquals("part-000001/997bb945-628d-4724-b370-b84de974a19f.jpg", p.image());
    }

    @Test
    void llavaVariantsTextOnlyTrailingTokenAndIntegerIds() throws Exception {
        Files.writeString(root.resolve("mix.json"), """
                [{"id": 7, "conversations": [{"from": "human", "value": "Name a prime."}, {"from": "gpt", "value": "7"}]},
                 {"id": "b", "image": "b.png", "conversations": [{"from": "human", "value": "What is it?\\n<image>"},
                   {"from": "gpt", "value": "A square."}, {"from": "human", "value": "Colour?"},
                   {"from": "gpt", "value": "Black."}]}]""");
        image("b.png", "png");
        Map<String, PromptRecord> ids = byId(select("mix.json", PromptFormat.LLAVA, "."));
        assertEquals("Name a prime.", ids.get("7").question());
        assertNull(ids.get("7").image());
        assertEquals("What is it?", ids.get("b").question(), "a trailing token and its newline are removed");
        assertEquals("A square.", ids.get("b").goldAnswer(), "only the first exchange is used");
    }

    @Test
    void badRecordsNameFileAndIndexOrLine() throws Exception {
        Files.writeString(root.resolve("bad.json"), """
                [{"image_id": "1", "question": "ok?"}, {"image_id": "2"}]""");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> select("bad.json", PromptFormat.LRV_INSTRUCTION, "."));
        assertTrue(e.getMessage().contains("bad.json[1]: \"question\" is missing"), e.getMessage());

        Files.writeString(root.resolve("bad.jsonl"), """
                {"question_id": 0, "image": "a.png", "text": "q"}
                {"question_id": 1.5, "image": "a.png", "text": "q"}
                """);
        e = assertThrows(InvalidInputException.class, () -> select("bad.jsonl", PromptFormat.SCIGRAPHQA, "."));
        assertTrue(e.getMessage().contains("bad.jsonl:2: \"question_id\" must be a non-empty string or an integer"),
                e.getMessage());

        Files.writeString(root.resolve("lines.json"), "{\"id\": 1}\n{\"id\": 2}\n");
        e = assertThrows(InvalidInputException.class, () -> select("lines.json", PromptFormat.LLAVA, "."));
        assertTrue(e.getMessage().contains("expected a JSON array"), e.getMessage());

        Files.writeString(root.resolve("noq.json"), """
                [{"id": "x", "conversations": [{"from": "gpt", "value": "hi"}]}]""");
        e = assertThrows(InvalidInputException.class, () -> select("noq.json", PromptFormat.LLAVA, "."));
        assertTrue(e.getMessage().contains("noq.json[0]: no \"human\" turn"), e.getMessage());
    }

    @Test
    void aMissingImageOfAnArrayRecordNamesItsIndex() throws Exception {
        Files.writeString(root.resolve("lrv.json"), """
                [{"image_id": "1", "question": "q?"}]""");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> select("lrv.json", PromptFormat.LRV_INSTRUCTION, "."));
        assertTrue(e.getMessage().contains("lrv.json[0]: image '1.jpg' of prompt 1-0"), e.getMessage());
    }
}
