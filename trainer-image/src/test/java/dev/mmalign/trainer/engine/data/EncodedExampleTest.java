package dev.mmalign.trainer.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.Fixtures;
import dev.mmalign.trainer.engine.ModelLoader;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.tokenizer.ByteTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Guards maxLength: it counts the sequence the decoder sees, image patches included; only responses are cut. */
class EncodedExampleTest {

    private static final ByteTokenizer TOK = new ByteTokenizer();
    /** More patches than the tiny preset has, so that counting the image as one token would be clearly visible. */
    private static final int PATCHES = 10;
    private static final float[] PIXELS = new float[3];

    /** Guards the arithmetic: prompt + image patches + kept response = maxLength exactly; the prompt is whole. */
    @Test
    void maxLengthCountsImagePatchesAndTruncatesTheResponse() {
        int prompt = EncodedExample.promptPositions(TOK, "What is it?", true, PATCHES);
        // BOS + "USER: " + <image> + "\nWhat is it? ASSISTANT:" in bytes, with the image as PATCHES positions.
        assertEquals(1 + 6 + PATCHES + "\nWhat is it? ASSISTANT:".length(), prompt);
        EncodedExample e = EncodedExample.of(TOK, "What is it?", "A long answer that will not fit.", PIXELS, PATCHES,
                prompt + 3, true);
        assertEquals(prompt + 3, Batch.spliced(e, PATCHES), "the spliced sequence fills maxLength exactly");
        assertEquals(3, e.responseTokens(), "the response keeps what is left after the prompt and the image");
        assertEquals(prompt - (PATCHES - 1), e.responseStart(), "the prompt is never cut");

        EncodedExample text = EncodedExample.of(TOK, "What is it?", "A long answer that will not fit.", null, PATCHES,
                40, true);
        assertEquals(40, text.ids().length, "without an image, positions are token ids");
    }

    /** Guards the rule for prompts that do not fit: one response token must fit, else a clear, typed refusal. */
    @Test
    void aPromptThatLeavesNoRoomForTheResponseIsRefused() {
        int prompt = EncodedExample.promptPositions(TOK, "Q?", true, PATCHES);
        assertEquals(1, EncodedExample.of(TOK, "Q?", "Yes.", PIXELS, PATCHES, prompt + 1, true).responseTokens());
        EncodedExample.PromptTooLongException e = assertThrows(EncodedExample.PromptTooLongException.class,
                () -> EncodedExample.of(TOK, "Q?", "Yes.", PIXELS, PATCHES, prompt, true));
        assertEquals(prompt, e.promptPositions());
        assertTrue(e.getMessage().contains("image patches included"), e.getMessage());
    }

    /** Guards the batch the model sees on the tiny preset: no row is longer than maxLength. */
    @Test
    void batchesOnTheTinyModelNeverExceedMaxLength() {
        try (VisionLanguageModel vlm = ModelLoader.create("tiny", 3)) {
            int patches = vlm.imagePositions();
            int maxLength = vlm.promptPositions("Describe the image.", true) + 5;
            EncodedExample withImage = EncodedExample.of(vlm.tokenizer(), "Describe the image.",
                    "A red circle on the left and a blue square.", Fixtures.randomPixels(16, 1), patches, maxLength,
                    true);
            EncodedExample textOnly = EncodedExample.of(vlm.tokenizer(), "Describe the image.",
                    "A red circle on the left and a blue square.", null, patches, maxLength, true);
            try (NDManager m = vlm.manager().newSubManager()) {
                Batch b = Batch.build(m, vlm.model(), List.of(withImage, textOnly));
                assertEquals(maxLength, b.sequenceLength(), "both rows are cut to maxLength, the image row included");
            }
            assertEquals(5, withImage.responseTokens());
            assertEquals(maxLength - vlm.promptPositions("Describe the image.", false), textOnly.responseTokens(),
                    "the text-only row has the room of the image (and of its \"<image>\\n\" text)");
        }
    }
}
