package dev.mmalign.trainer.engine.data;

import dev.mmalign.trainer.engine.tokenizer.TextTokenizer;

/**
 * Token ids of BOS + formatted prompt + response (+ EOS), with where the response starts. The prompt holds
 * at most one image token, which the model replaces by the image's patch features.
 *
 * @param pixels CHW image or null for text-only prompts
 */
public record EncodedExample(int[] ids, int responseStart, int imagePos, float[] pixels) {

    /** Encodes prompt and response separately so the boundary is exact whatever the tokenizer merges. */
    public static EncodedExample of(TextTokenizer tok, String question, String response, float[] pixels,
            int maxLength, boolean appendEos) {
        int[] p = tok.encode(PromptFormat.prompt(question, pixels != null));
        int[] r = response == null ? new int[0] : tok.encode(PromptFormat.response(response));
        // Truncate the response (never the prompt) to maxLength text tokens, as TRL does for DPO.
        int keepResponse = Math.max(0, Math.min(r.length + (appendEos ? 1 : 0), maxLength - 1 - p.length));
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

    public int responseTokens() {
        return ids.length - responseStart;
    }
}
