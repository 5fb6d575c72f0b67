package dev.mmalign.trainer.engine.data;

import dev.mmalign.trainer.engine.tokenizer.TextTokenizer;
import java.util.Arrays;

/**
 * Token ids of BOS + formatted prompt + response (+ EOS), with where the response starts. The prompt holds
 * at most one image token, which the model replaces by the image's patch features.
 *
 * <p>{@code maxLength} counts positions of the sequence the decoder sees, i.e. after the {@code <image>} token is
 * replaced by the vision tower's patches (as LLaVA truncates after splicing, and as TRL counts with processors that
 * expand the image token). Only the response is truncated; a prompt that leaves no room for a single response token is
 * refused with {@link PromptTooLongException} (callers that train skip such examples and count them).
 *
 * @param pixels CHW image or null for text-only prompts
 */
public record EncodedExample(int[] ids, int responseStart, int imagePos, float[] pixels) {

    /** A prompt (BOS and image patches included) that leaves no room for a response within {@code maxLength}. */
    public static final class PromptTooLongException extends IllegalArgumentException {
        private final int promptPositions;
        private final int maxLength;

        public PromptTooLongException(int promptPositions, int maxLength) {
            super("the prompt takes " + promptPositions + " positions (BOS and image patches included), which leaves"
                    + " no room for a response token within maxLength " + maxLength);
            this.promptPositions = promptPositions;
            this.maxLength = maxLength;
        }

        public int promptPositions() {
            return promptPositions;
        }

        public int maxLength() {
            return maxLength;
        }
    }

    /**
     * Tokenises the whole conversation (prompt + response) in one piece, so the ids are those the model sees when the
     * conversation is tokenised as a whole: a SentencePiece/Metaspace tokenizer (LLaMA's) puts a word-start marker
     * before the first word of every separately encoded text, so encoding " Yes." on its own gives an extra "▁" token
     * that the whole conversation never has. The response starts where the whole conversation's ids stop agreeing
     * with the prompt's own ids: at the prompt's length when they agree all along, one token earlier when the tokenizer
     * merged across the boundary (as TRL's DPO tokenisation does).
     *
     * @param imagePositions positions the image occupies once spliced (the vision tower's patch count); only used when
     *                       {@code pixels} is not null
     * @param maxLength      most positions of the spliced sequence; the response is cut to fit
     */
    public static EncodedExample of(TextTokenizer tok, String question, String response, float[] pixels,
            int imagePositions, int maxLength, boolean appendEos) {
        String promptText = PromptFormat.prompt(question, pixels != null);
        int[] p = tok.encode(promptText);
        int[] r = new int[0];
        if (response != null) {
            int[] whole = tok.encode(promptText + PromptFormat.response(response));
            int boundary = 0;
            while (boundary < p.length && boundary < whole.length && p[boundary] == whole[boundary]) {
                boundary++;
            }
            p = Arrays.copyOf(whole, boundary);
            r = Arrays.copyOfRange(whole, boundary, whole.length);
        }
        int promptPositions = 1 + p.length + (pixels != null ? imagePositions - 1 : 0);
        // A response needs at least one position; a bare prompt (generation) needs none.
        int needed = promptPositions + (response != null ? 1 : 0);
        if (needed > maxLength) {
            throw new PromptTooLongException(promptPositions, maxLength);
        }
        // Truncate the response (never the prompt) so the spliced sequence fits maxLength, as TRL does for DPO.
        int keepResponse = Math.min(r.length + (appendEos ? 1 : 0), maxLength - promptPositions);
        int[] ids = new int[1 + p.length + keepResponse];
        ids[0] = tok.bosId();
        System.arraycopy(p, 0, ids, 1, p.length);
        for (int i = 0; i < keepResponse; i++) {
            ids[1 + p.length + i] = i < r.length ? r[i] : tok.eosId();
        }
        int imagePos = -1;
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == tok.imageTokenId()) {
                if (imagePos >= 0) {
                    throw new IllegalArgumentException("prompt has more than one <image> token");
                }
                imagePos = i;
            }
        }
        if (pixels != null && imagePos < 0) {
            throw new IllegalArgumentException("an image was given but the prompt has no <image> token");
        }
        if (pixels == null && imagePos >= 0) {
            throw new IllegalArgumentException("prompt has an <image> token but no image was given");
        }
        return new EncodedExample(ids, 1 + p.length, imagePos, pixels);
    }

    /**
     * Positions the prompt takes in the spliced sequence (BOS, template, question, and {@code imagePositions} for the
     * image when there is one), without loading the image: a stage can tell up front which examples fit.
     */
    public static int promptPositions(TextTokenizer tok, String question, boolean hasImage, int imagePositions) {
        return 1 + tok.encode(PromptFormat.prompt(question, hasImage)).length + (hasImage ? imagePositions - 1 : 0);
    }

    /**
     * Positions the whole conversation takes before any truncation, as {@link #of} builds it for training (BOS,
     * prompt and response tokenised as one text, EOS, image patches): counting the response's tokens on their own
     * would count a SentencePiece word-start marker the conversation does not have.
     */
    public static int conversationPositions(TextTokenizer tok, String question, String response, boolean hasImage,
            int imagePositions) {
        int whole = tok.encode(PromptFormat.prompt(question, hasImage) + PromptFormat.response(response)).length;
        return 1 + whole + 1 + (hasImage ? imagePositions - 1 : 0);
    }

    public int responseTokens() {
        return ids.length - responseStart;
    }

    /**
     * The first token a loss is taken on: the first response token, or the second token where the response starts
     * the sequence (the first has no previous position to be predicted from). {@link Batch#build} masks in the
     * tokens from here on.
     */
    public int firstTarget() {
        return Math.max(1, responseStart);
    }

    /**
     * Tokens a loss is taken on ({@link #firstTarget} to the end): the positions {@link Batch#build} puts in its loss
     * mask, known from the ids alone, before any forward pass.
     */
    public long targetTokens() {
        return Math.max(0, ids.length - firstTarget());
    }
}
