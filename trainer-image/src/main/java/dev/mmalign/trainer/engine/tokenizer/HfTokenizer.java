package dev.mmalign.trainer.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's tokenizers binding. Special ids come from the model
 * config (bos/eos/pad, image_token_index) because tokenizer.json does not say which token plays which role.
 */
public final class HfTokenizer implements TextTokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final int bos;
    private final int eos;
    private final int pad;
    private final int image;
    private final int vocab;

    public HfTokenizer(Path tokenizerJson, int bos, int eos, int pad, int image, int vocab) throws IOException {
        // No special tokens added: the engine places BOS/EOS itself; no truncation/padding either.
        this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.image = image;
        this.vocab = vocab;
    }

    @Override
    public int[] encode(String text) {
        Encoding e = tokenizer.encode(text, false, false);
        return Arrays.stream(e.getIds()).mapToInt(l -> (int) l).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return tokenizer.decode(Arrays.stream(ids).mapToLong(i -> i).toArray(), true);
    }

    @Override
    public int bosId() {
        return bos;
    }

    @Override
    public int eosId() {
        return eos;
    }

    @Override
    public int padId() {
        return pad;
    }

    @Override
    public int imageTokenId() {
        return image;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
