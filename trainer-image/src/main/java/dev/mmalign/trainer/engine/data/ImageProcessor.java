package dev.mmalign.trainer.engine.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmalign.trainer.engine.model.UnsupportedCheckpointException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Image preprocessing as Hugging Face's {@code CLIPImageProcessor} does it for llava-hf checkpoints: RGB, resize so the
 * shortest side is {@code size.shortest_edge} with PIL's bicubic filter (reproduced here in PIL's own fixed-point
 * arithmetic, {@link PilBicubic}), centre crop to {@code crop_size}, rescale by 1/255, normalise by
 * {@code image_mean}/{@code image_std}. Output is CHW float32.
 *
 * <p>LLaVA-1.5 itself was trained with {@code image_aspect_ratio: pad}: the image is first expanded to a square
 * with the mean colour ({@code int(mean · 255)} per channel, as LLaVA's {@code expand2square}), so a wide image is not
 * cropped. llava-hf's processor does not pad; a checkpoint asks for it with {@code image_aspect_ratio: "pad"} in its
 * preprocessor_config.json or config.json. A model folder without preprocessor_config.json (the engine's own presets)
 * gets LLaVA-1.5's settings at the vision tower's size, padding included.
 */
public final class ImageProcessor {
    public static final String CONFIG_FILE = "preprocessor_config.json";
    private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};
    /** PIL's resample code for bicubic, the only filter implemented. */
    private static final int PIL_BICUBIC = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What to do to an image.
     *
     * @param padToSquare expand to a square with the mean colour first (LLaVA-1.5's "pad")
     * @param shortestEdge the shortest side after resizing
     * @param crop side of the centre crop, which is the vision tower's image size
     */
    public record Settings(boolean padToSquare, int shortestEdge, int crop, double rescaleFactor, float[] mean,
            float[] std) {}

    private final Settings settings;

    /** LLaVA-1.5's preprocessing for a vision tower of {@code size}: pad, bicubic resize, CLIP mean/std. */
    public ImageProcessor(int size) {
        this(new Settings(true, size, size, 1 / 255.0, CLIP_MEAN, CLIP_STD));
    }

    public ImageProcessor(Settings settings) {
        this.settings = settings;
    }

    /**
     * The preprocessing a model folder asks for: its preprocessor_config.json when there is one, else LLaVA-1.5's.
     * Settings the engine does not reproduce (another resample filter, fixed height/width resizing, a crop that is not
     * the vision tower's size, skipped steps) are refused naming the field and the file.
     */
    public static ImageProcessor forModel(Path modelDir, int visionImageSize) throws IOException {
        Path file = modelDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            return new ImageProcessor(visionImageSize);
        }
        JsonNode c = JSON.readTree(file.toFile());
        String type = c.path("image_processor_type").asText("CLIPImageProcessor");
        if (!type.equals("CLIPImageProcessor") && !type.equals("CLIPImageProcessorFast")) {
            throw new UnsupportedCheckpointException(file, "image_processor_type", "'" + type
                    + "' is not supported (CLIPImageProcessor)");
        }
        for (String step : new String[] {"do_resize", "do_center_crop", "do_rescale", "do_normalize"}) {
            if (!c.path(step).asBoolean(true)) {
                throw new UnsupportedCheckpointException(file, step, "false is not supported");
            }
        }
        int resample = c.path("resample").asInt(PIL_BICUBIC);
        if (resample != PIL_BICUBIC) {
            throw new UnsupportedCheckpointException(file, "resample", resample + " is not supported (3, bicubic)");
        }
        JsonNode size = c.path("size");
        int shortest = size.isInt() ? size.asInt() : size.path("shortest_edge").asInt(-1);
        if (shortest < 1) {
            throw new UnsupportedCheckpointException(file, "size", (size.isMissingNode() ? "absent" : size.toString())
                    + " is not supported ({\"shortest_edge\": n})");
        }
        JsonNode cropNode = c.path("crop_size");
        int cropH = cropNode.isInt() ? cropNode.asInt() : cropNode.path("height").asInt(-1);
        int cropW = cropNode.isInt() ? cropNode.asInt() : cropNode.path("width").asInt(-1);
        if (cropH != visionImageSize || cropW != visionImageSize) {
            throw new UnsupportedCheckpointException(file, "crop_size", cropNode + " differs from the vision tower's"
                    + " image_size " + visionImageSize);
        }
        if (shortest < visionImageSize) {
            throw new UnsupportedCheckpointException(file, "size.shortest_edge", shortest
                    + " is below crop_size " + visionImageSize + " (the crop would pad)");
        }
        float[] mean = triple(file, "image_mean", c.path("image_mean"), CLIP_MEAN);
        float[] std = triple(file, "image_std", c.path("image_std"), CLIP_STD);
        JsonNode ratio = c.has("image_aspect_ratio") ? c.path("image_aspect_ratio")
                : modelConfigField(modelDir, "image_aspect_ratio");
        boolean pad = ratio.asText("").equals("pad");
        if (!ratio.isMissingNode() && !ratio.isNull() && !pad && !ratio.asText().equals("square")) {
            throw new UnsupportedCheckpointException(file, "image_aspect_ratio", "'" + ratio.asText()
                    + "' is not supported (pad, square)");
        }
        return new ImageProcessor(new Settings(pad, shortest, visionImageSize,
                c.path("rescale_factor").asDouble(1 / 255.0), mean, std));
    }

    private static JsonNode modelConfigField(Path modelDir, String field) throws IOException {
        Path config = modelDir.resolve("config.json");
        return Files.isRegularFile(config) ? JSON.readTree(config.toFile()).path(field)
                : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static float[] triple(Path file, String field, JsonNode n, float[] fallback) {
        if (n.isMissingNode() || n.isNull()) {
            return fallback;
        }
        if (!n.isArray() || n.size() != 3) {
            throw new UnsupportedCheckpointException(file, field, "must be 3 numbers, got " + n);
        }
        return new float[] {(float) n.get(0).asDouble(), (float) n.get(1).asDouble(), (float) n.get(2).asDouble()};
    }

    public Settings settings() {
        return settings;
    }

    /** The vision tower's image side, which the output has. */
    public int size() {
        return settings.crop();
    }

    public float[] load(Path png) throws IOException {
        BufferedImage img;
        try {
            img = ImageDecoder.read(png);
        } catch (ImageDecoder.RejectedImageException e) {
            throw new ImageDecoder.RejectedImageException("image " + png + " " + e.getMessage());
        }
        return process(img);
    }

    public float[] process(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[][] rgb = new int[3][w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                rgb[0][y * w + x] = (p >> 16) & 0xff;
                rgb[1][y * w + x] = (p >> 8) & 0xff;
                rgb[2][y * w + x] = p & 0xff;
            }
        }
        if (settings.padToSquare() && w != h) {
            // LLaVA's expand2square: a mean-colour canvas, the image pasted centred (offset rounded down).
            int side = Math.max(w, h);
            int left = (side - w) / 2;
            int top = (side - h) / 2;
            int[][] square = new int[3][side * side];
            for (int ch = 0; ch < 3; ch++) {
                java.util.Arrays.fill(square[ch], (int) (settings.mean()[ch] * 255)); // int(): truncation, as LLaVA
                for (int y = 0; y < h; y++) {
                    System.arraycopy(rgb[ch], y * w, square[ch], (y + top) * side + left, w);
                }
            }
            rgb = square;
            w = side;
            h = side;
        }
        // transformers' get_resize_output_image_size(default_to_square=False): the short side becomes
        // shortest_edge, the long side int(shortest_edge * long / short).
        int s = settings.shortestEdge();
        int outW = w <= h ? s : (int) ((double) s * w / h);
        int outH = w <= h ? (int) ((double) s * h / w) : s;
        for (int ch = 0; ch < 3; ch++) {
            rgb[ch] = PilBicubic.resize(rgb[ch], w, h, outW, outH);
        }
        int crop = settings.crop();
        int top = (outH - crop) / 2;
        int left = (outW - crop) / 2;
        float[] chw = new float[3 * crop * crop];
        for (int ch = 0; ch < 3; ch++) {
            float mean = settings.mean()[ch];
            float std = settings.std()[ch];
            for (int y = 0; y < crop; y++) {
                for (int x = 0; x < crop; x++) {
                    // transformers: rescale in float64, cast to float32, then (x - mean) / std in float32.
                    float v = (float) (rgb[ch][(y + top) * outW + x + left] * settings.rescaleFactor());
                    chw[ch * crop * crop + y * crop + x] = (v - mean) / std;
                }
            }
        }
        return chw;
    }
}
