package dev.mmalign.trainer.engine.data;

import static org.junit.jupiter.api.Assertions.*;

import dev.mmalign.trainer.engine.model.UnsupportedCheckpointException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guards that images are preprocessed as transformers' CLIPImageProcessor does for llava-hf checkpoints (shortest-side
 * PIL bicubic resize, centre crop, rescale, normalise), with LLaVA-1.5's pad-to-square as an option, and that
 * preprocessor_config.json is followed or refused naming the field.
 *
 * <p>The expected pixels are Pillow's own: the fixtures below are the 8-bit output of Pillow 9.4.0's
 * {@code Image.resize(size, BICUBIC, reducing_gap=None)} followed by transformers' centre crop (top/left rounded
 * down), for the 13×9 test pattern of {@link #pattern()}, with LLaVA's {@code expand2square} (mean colour
 * {@code int(mean·255)}, image pasted at {@code (0, (w-h)//2)}) for the padded case; they were produced once by
 * {@code src/test/resources/pil/clip_fixtures.py} running that exact code. The test then applies transformers' rescale (float64, cast to float32)
 * and normalisation (float32) to them and requires equality: the engine reproduces PIL's fixed-point arithmetic, so no
 * tolerance is needed.
 */
class ClipImageProcessorTest {
    @TempDir Path dir;

    private static final String SHRINK6 = """
            116,124,144,96,108,94,122,114,135,116,138,139,148,164,141,142,133,128,119,141,141,133,85,173,117,
            103,152,153,142,127,123,167,90,114,105,142,150,135,148,100,120,128,119,120,142,123,145,136,146,146,
            133,132,110,129,124,123,132,157,142,128,157,107,139,107,119,99,124,91,142,112,161,91,144,180,109,
            143,125,152,120,154,117,151,149,103,149,125,127,106,117,161,113,102,127,125,128,67,115,140,114,128,
            97,147,184,137,104,147,131,152""";

    private static final String GROW12 = """
            47,75,103,141,173,206,228,37,0,43,71,110,115,161,194,86,61,106,136,104,116,157,177,59,163,135,179,
            69,52,108,141,112,126,176,208,88,149,24,79,130,161,191,227,68,49,95,117,167,98,128,184,248,159,53,
            114,148,206,172,25,72,185,205,96,138,148,150,200,104,126,163,132,192,151,178,84,130,144,150,203,120,
            67,81,155,227,28,101,148,221,145,52,125,189,94,19,91,126,146,172,26,71,132,191,246,107,100,176,220,
            73,161,81,72,156,134,98,186,181,113,98,182,174,118,78,173,181,129,72,74,167,140,81,89,184,69,173,
            246,108,117,148,0,65,167,160,22,96,99,130,169,198,241,203,12,34,68,100,138,165,189,188,70,89,131,
            143,111,141,185,160,53,85,158,167,46,79,129,143,113,147,203,186,76,120,34,95,145,167,214,195,35,72,
            101,132,183,239,141,198,245,98,63,121,156,216,110,22,86,142,163,85,145,130,162,172,78,127,129,139,
            181,72,122,59,132,122,158,172,81,135,140,158,213,115,88,169,207,72,51,120,167,241,150,65,122,205,
            208,226,79,115,193,193,54,120,190,158,29,106,85,149,148,71,87,146,140,50,82,142,130,38,61,130,136,
            61,80,144,145,67,98,157,154,80,164,186,32,96,196,200,53,129,227,212,76,178,158,196,223,255,154,18,
            65,92,129,164,191,235,162,74,116,151,143,127,164,207,131,66,112,163,135,48,104,147,139,125,166,223,
            150,88,131,81,112,156,175,232,140,32,88,108,149,205,229,62,217,216,53,82,127,170,209,52,35,99,150,
            175,92,137,117,173,129,73,131,113,152,145,50,126,64,122,105,165,125,72,134,120,170,177,77,47,169,
            165,15,57,115,168,220,78,59,128,179,29,157,47,101,187,120,30,107,175,82,11,90,140,93,111,209,136,97,
            127,193,120,92,127,186,102,122,200,190,119,92,129,198,127,105,147,209,134,217,239,85,169,108,15,106,
            207,118,44,136,234""";

    private static final String PAD6 = """
            103,118,134,112,114,130,101,124,125,111,121,117,123,141,147,133,130,138,110,122,148,127,135,137,131,
            131,121,127,127,128,124,131,117,117,119,124,107,124,125,104,119,134,131,127,137,124,124,147,133,140,
            137,124,133,149,158,133,129,144,126,100,98,118,122,120,115,99,110,115,120,123,121,109,107,122,104,
            102,117,93,143,143,133,142,133,114,124,138,126,120,134,148,125,106,123,121,99,136,144,152,117,126,
            140,154,107,114,100,107,109,106""";

    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** 13×9 pixels, channel c of (x, y) = (37x + 91y + 53c + 7xy) mod 256: no smooth areas, so rounding shows. */
    private static BufferedImage pattern() {
        BufferedImage img = new BufferedImage(13, 9, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 13; x++) {
                int[] c = new int[3];
                for (int ch = 0; ch < 3; ch++) {
                    c[ch] = (x * 37 + y * 91 + ch * 53 + x * y * 7) % 256;
                }
                img.setRGB(x, y, (c[0] << 16) | (c[1] << 8) | c[2]);
            }
        }
        return img;
    }

    /** transformers' rescale (x * 1/255 in float64, then float32) and normalise ((x - mean) / std in float32). */
    private static float[] normalised(String pixels, int side) {
        int[] v = Arrays.stream(pixels.replaceAll("\\s", "").split(",")).mapToInt(Integer::parseInt).toArray();
        assertEquals(3 * side * side, v.length);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int ch = i / (side * side);
            out[i] = ((float) (v[i] * (1 / 255.0)) - MEAN[ch]) / STD[ch];
        }
        return out;
    }

    private static ImageProcessor processor(boolean pad, int shortestEdge, int crop) {
        return new ImageProcessor(new ImageProcessor.Settings(pad, shortestEdge, crop, 1 / 255.0, MEAN, STD));
    }

    @Test
    void shrinkingMatchesPilBicubicAndTheCentreCrop() {
        assertArrayEquals(normalised(SHRINK6, 6), processor(false, 6, 6).process(pattern()), 0f);
    }

    @Test
    void enlargingMatchesPilBicubicAndTheCentreCrop() {
        assertArrayEquals(normalised(GROW12, 12), processor(false, 12, 12).process(pattern()), 0f);
    }

    @Test
    void padToSquareMatchesLlavaExpandToSquare() {
        assertArrayEquals(normalised(PAD6, 6), processor(true, 6, 6).process(pattern()), 0f);
        assertFalse(Arrays.equals(processor(false, 6, 6).process(pattern()), processor(true, 6, 6).process(pattern())),
                "padding must change the result, or this test could not fail");
    }

    @Test
    void llavaHfPreprocessorConfigIsFollowed() throws Exception {
        Files.writeString(dir.resolve(ImageProcessor.CONFIG_FILE), """
                {"crop_size": {"height": 6, "width": 6}, "do_center_crop": true, "do_convert_rgb": true,
                 "do_normalize": true, "do_rescale": true, "do_resize": true,
                 "image_mean": [0.48145466, 0.4578275, 0.40821073], "image_processor_type": "CLIPImageProcessor",
                 "image_std": [0.26862954, 0.26130258, 0.27577711], "processor_class": "LlavaProcessor",
                 "resample": 3, "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": 6}}
                """);
        ImageProcessor p = ImageProcessor.forModel(dir, 6);
        assertFalse(p.settings().padToSquare(), "llava-hf's processor does not pad");
        assertArrayEquals(normalised(SHRINK6, 6), p.process(pattern()), 0f);
        // LLaVA's own config key turns padding on.
        Files.writeString(dir.resolve("config.json"), "{\"image_aspect_ratio\": \"pad\"}");
        assertArrayEquals(normalised(PAD6, 6), ImageProcessor.forModel(dir, 6).process(pattern()), 0f);
    }

    @Test
    void settingsTheEngineDoesNotReproduceAreRefusedNamingTheField() throws Exception {
        Path file = dir.resolve(ImageProcessor.CONFIG_FILE);
        String[][] cases = {
            {"resample", "{\"resample\": 2, \"size\": {\"shortest_edge\": 6}, \"crop_size\": 6}"},
            {"crop_size", "{\"size\": {\"shortest_edge\": 8}, \"crop_size\": {\"height\": 8, \"width\": 8}}"},
            {"size", "{\"size\": {\"height\": 6, \"width\": 6}, \"crop_size\": 6}"},
            {"do_center_crop", "{\"do_center_crop\": false, \"size\": {\"shortest_edge\": 6}, \"crop_size\": 6}"},
            {"image_processor_type", "{\"image_processor_type\": \"SiglipImageProcessor\"}"},
            {"image_aspect_ratio", "{\"image_aspect_ratio\": \"anyres\", \"size\": 6, \"crop_size\": 6}"},
        };
        for (String[] c : cases) {
            Files.writeString(file, c[1]);
            UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                    () -> ImageProcessor.forModel(dir, 6), c[0]);
            assertTrue(e.getMessage().startsWith(file + ": " + c[0] + ": "), e.getMessage());
        }
    }

    @Test
    void withoutPreprocessorConfigLlava15PaddingAtTheTowerSizeApplies() throws Exception {
        ImageProcessor p = ImageProcessor.forModel(dir, 6);
        assertTrue(p.settings().padToSquare());
        assertArrayEquals(normalised(PAD6, 6), p.process(pattern()), 0f);
    }
}
