package dev.mmalign.trainer.sample;

import dev.mmalign.api.common.ModelSource;
import dev.mmalign.api.dataset.PromptsSpec;
import dev.mmalign.api.dataset.SamplingSpec;
import dev.mmalign.api.stage.ExitCodes;
import dev.mmalign.api.stage.StageName;
import dev.mmalign.api.stage.StageSpec;
import dev.mmalign.trainer.data.PromptRecord;
import dev.mmalign.trainer.data.TestImages;
import dev.mmalign.trainer.stage.FakePolicyModel;
import dev.mmalign.trainer.stage.StageFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad specs and bad data files given to the sample stage: each is exit code 2 with a message naming the field or the
 * file and line, before the model is asked anything, and no message quotes a file it should not have read.
 */
class SampleBadInputsTest {

    @TempDir
    Path tmp;
    Path root;
    StageFixture fx;
    FakePolicyModel model;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("claim"));
        fx = new StageFixture(root);
        model = new FakePolicyModel();
        List<PromptRecord> prompts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TestImages.png(root.resolve("images/img" + i + ".png"));
            prompts.add(new PromptRecord("p" + i, "img" + i + ".png", "question " + i, null, null, null));
        }
        fx.writeJsonl("in/prompts.jsonl", prompts);
        // Another tenant's file next to the claim.
        Files.createDirectories(tmp.resolve("secrets"));
        Files.writeString(tmp.resolve("secrets/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        TestImages.png(tmp.resolve("secrets/private.png"));
    }

    private StageSpec spec() {
        StageSpec spec = fx.spec(StageName.sample, "ds/completions");
        spec.prompts = new PromptsSpec();
        spec.prompts.path = "in/prompts.jsonl";
        spec.sampling = new SamplingSpec();
        spec.sampling.model = ModelSource.ofPath("models/base");
        spec.sampling.completionsPerPrompt = 2;
        spec.paths.inputs.put("prompts", "ds/prompts.jsonl");
        return spec;
    }

    private String failsWithExitTwo(StageSpec spec) throws Exception {
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(spec, new SampleStage(model.loader())));
        assertEquals(0, model.generateCalls.get(), "nothing is sampled");
        String message = fx.result(spec).message;
        assertFalse(message.contains("root:x"), "no content of another file is echoed: " + message);
        return message;
    }

    private void writePromptWithImage(String image) throws Exception {
        fx.writeJsonl("in/prompts.jsonl", List.of(
                new PromptRecord("p0", "img0.png", "q0", null, null, null),
                new PromptRecord("p1", image, "q1", null, null, null)));
    }

    @Test
    void promptsPathOutOfTheClaimIsRefusedWithoutEchoingTheFile() throws Exception {
        StageSpec spec = spec();
        spec.prompts.path = "../../../../../../../../etc/passwd";
        String message = failsWithExitTwo(spec);
        assertTrue(message.contains("prompts.path: '../../../../../../../../etc/passwd' leaves the storage root"),
                message);
        spec.prompts.path = "../secrets/passwd";
        assertTrue(failsWithExitTwo(spec).contains("prompts.path"));
    }

    @Test
    void absoluteAndSymlinkedPromptsFilesAreRefused() throws Exception {
        StageSpec spec = spec();
        spec.prompts.path = tmp.resolve("secrets/passwd").toString();
        assertTrue(failsWithExitTwo(spec).contains("is absolute"));
        Files.createSymbolicLink(root.resolve("in/linked.jsonl"), tmp.resolve("secrets/passwd"));
        spec.prompts.path = "in/linked.jsonl";
        assertTrue(failsWithExitTwo(spec).contains("symbolic link"));
    }

    @Test
    void imageRootAndOutputDirOutOfTheClaimAreRefused() throws Exception {
        StageSpec spec = spec();
        spec.prompts.imageRoot = "../secrets";
        assertTrue(failsWithExitTwo(spec).contains("prompts.imageRoot"));

        StageSpec out = spec();
        out.paths.outputDir = "../escaped";
        assertEquals(ExitCodes.INVALID_INPUT, fx.run(out, new SampleStage(model.loader())));
        assertFalse(Files.exists(tmp.resolve("escaped")), "not even the result file is written outside");
        assertTrue(fx.stderrText().contains("paths.outputDir"), fx.stderrText());
    }

    @Test
    void anImagePathInAPromptLineThatLeavesTheClaimNamesTheLine() throws Exception {
        writePromptWithImage("../../secrets/private.png");
        String message = failsWithExitTwo(spec());
        assertTrue(message.startsWith(root.resolve("in/prompts.jsonl") + ":2: image of prompt p1: "
                + "'../../secrets/private.png' leaves the storage root"), message);

        Files.createSymbolicLink(root.resolve("images/link.png"), tmp.resolve("secrets/private.png"));
        writePromptWithImage("link.png");
        assertTrue(failsWithExitTwo(spec()).contains(":2: image of prompt p1: 'link.png' leads through a symbolic link"));
    }

    @Test
    void aHugeImageHeaderIsRefusedBeforeAnyPixelIsAllocated() throws Exception {
        TestImages.pngHeaderOnly(root.resolve("images/huge.png"), 20000, 20000);
        writePromptWithImage("huge.png");
        String message = failsWithExitTwo(spec());
        assertTrue(message.startsWith(root.resolve("in/prompts.jsonl") + ":2: image 'huge.png' of prompt p1 is "
                + "20000×20000 pixels"), message);
    }

    @Test
    void aCorruptOrEmptyImageNamesTheLineAndTheImage() throws Exception {
        Files.write(root.resolve("images/corrupt.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        writePromptWithImage("corrupt.png");
        String message = failsWithExitTwo(spec());
        assertTrue(message.startsWith(root.resolve("in/prompts.jsonl") + ":2: image 'corrupt.png' of prompt p1 "),
                message);

        Path valid = TestImages.png(root.resolve("images/cut.png"));
        byte[] bytes = Files.readAllBytes(valid);
        Files.write(valid, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        writePromptWithImage("cut.png");
        assertTrue(failsWithExitTwo(spec()).contains("image 'cut.png' of prompt p1 is corrupt"));

        Files.write(root.resolve("images/empty.png"), new byte[0]);
        writePromptWithImage("empty.png");
        assertTrue(failsWithExitTwo(spec()).contains(":2: image 'empty.png' of prompt p1 is empty (0 bytes)"));
    }

    @Test
    void anEmptyPromptsFileIsAnErrorNotAnEmptySuccess() throws Exception {
        Files.writeString(root.resolve("in/prompts.jsonl"), "");
        assertTrue(failsWithExitTwo(spec()).contains("in/prompts.jsonl: holds no records"));
        assertFalse(Files.exists(root.resolve("ds/prompts.jsonl")), "no empty dataset is written");

        fx.writeJsonl("in/prompts.jsonl", List.of(new PromptRecord("p0", null, "q", null, null, null)));
        StageSpec spec = spec();
        spec.prompts.limit = 0;
        assertTrue(failsWithExitTwo(spec).contains("no prompts selected"));
    }

    @Test
    void aTenMegabyteLineIsRefusedNamingTheLine() throws Exception {
        Files.writeString(root.resolve("in/prompts.jsonl"), "{\"id\":\"p0\",\"question\":\"q\"}\n{\"id\":\"p1\","
                + "\"question\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}\n");
        assertTrue(failsWithExitTwo(spec()).contains("in/prompts.jsonl:2: line is longer than"));
    }
}
