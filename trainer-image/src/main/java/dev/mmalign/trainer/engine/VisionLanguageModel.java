package dev.mmalign.trainer.engine;

import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.data.ImageProcessor;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;

/** What the pipeline stages hold: the network, its tokenizer and its image preprocessing. Close when done. */
public final class VisionLanguageModel implements AutoCloseable {
    private final LlavaModel model;
    private final TextTokenizer tokenizer;
    private final ImageProcessor images;
    private final NDManager manager;

    /** With LLaVA-1.5's image preprocessing at the vision tower's size (see {@link ImageProcessor}). */
    public VisionLanguageModel(LlavaModel model, TextTokenizer tokenizer, NDManager manager) {
        this(model, tokenizer, new ImageProcessor(model.config().vision().imageSize()), manager);
    }

    public VisionLanguageModel(LlavaModel model, TextTokenizer tokenizer, ImageProcessor images, NDManager manager) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.images = images;
        this.manager = manager;
    }

    public LlavaModel model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public ImageProcessor images() {
        return images;
    }

    /** The manager that owns the model; per-call work opens sub-managers of it. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Tokenises prompt + response (EOS appended) with the image, or without if {@code image} is null. {@code maxLength}
     * counts the spliced sequence (image patches included); see {@link EncodedExample#of}.
     */
    public EncodedExample encode(Path image, String prompt, String response, int maxLength) throws IOException {
        return encode(image == null ? null : images.load(image), prompt, response, maxLength);
    }

    /** As {@link #encode(Path, String, String, int)} with the image already processed ({@code null}: text only). */
    public EncodedExample encode(float[] pixels, String prompt, String response, int maxLength) {
        return EncodedExample.of(tokenizer, prompt, response, pixels, imagePositions(), maxLength, response != null);
    }

    /** Positions an image takes in the decoder's sequence: the vision tower's patch count. */
    public int imagePositions() {
        return model.config().imageTokens();
    }

    /** Positions a prompt takes (BOS and image patches included), without loading the image. */
    public int promptPositions(String prompt, boolean hasImage) {
        return EncodedExample.promptPositions(tokenizer, prompt, hasImage, imagePositions());
    }

    /** Positions prompt and response take as one training sequence before truncation, EOS included. */
    public int conversationPositions(String prompt, String response, boolean hasImage) {
        return EncodedExample.conversationPositions(tokenizer, prompt, response, hasImage, imagePositions());
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
        manager.close();
    }
}
