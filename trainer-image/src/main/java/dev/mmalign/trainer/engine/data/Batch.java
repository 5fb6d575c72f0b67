package dev.mmalign.trainer.engine.data;


import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.util.ArrayList;
import java.util.List;

/**
 * A right-padded batch ready for the decoder: input embeddings with each example's image features spliced
 * in place of its {@code <image>} token, positions, and next-token targets with a mask that is 1 only
 * where the next token belongs to the response (prompt, image and padding positions are masked). Right
 * padding needs no attention mask: causal attention never lets a real token see a later pad.
 *
 * @param realTokens positions that are not padding
 * @param targetTokens positions whose next token is a response token (the ones in {@code mask}), counted in Java
 */
public record Batch(NDArray embeddings, NDArray positions, NDArray targets, NDArray mask, int sequenceLength,
        long realTokens, long targetTokens) {

    public static Batch build(NDManager m, LlavaModel model, List<EncodedExample> examples) {
        int patches = model.config().imageTokens();
        int size = model.config().vision().imageSize();
        // Vision tower once for all images of the batch.
        List<float[]> images = new ArrayList<>();
        for (EncodedExample e : examples) {
            if (e.pixels() != null) {
                images.add(e.pixels());
            }
        }
        NDArray features = null;
        if (!images.isEmpty()) {
            float[] all = new float[images.size() * 3 * size * size];
            for (int i = 0; i < images.size(); i++) {
                System.arraycopy(images.get(i), 0, all, i * 3 * size * size, 3 * size * size);
            }
            features = model.encodeImages(OwnedArrays.of(m, all, new Shape(images.size(), 3, size, size)));
        }
        int b = examples.size();
        int maxIds = 0;
        int maxLen = 0;
        for (EncodedExample e : examples) {
            maxIds = Math.max(maxIds, e.ids().length);
            maxLen = Math.max(maxLen, spliced(e, patches));
        }
        long[] ids = new long[b * maxIds];
        for (int i = 0; i < b; i++) {
            int[] x = examples.get(i).ids();
            for (int t = 0; t < x.length; t++) {
                ids[i * maxIds + t] = x[t];
            }
        }
        NDArray tokenEmb = model.embedTokens(OwnedArrays.of(m, ids, new Shape(b, maxIds)));
        long dim = tokenEmb.getShape().get(2);
        long[] targets = new long[b * maxLen];
        float[] mask = new float[b * maxLen];
        long real = 0;
        long targeted = 0;
        NDList rows = new NDList();
        int imageRow = 0;
        for (int i = 0; i < b; i++) {
            EncodedExample e = examples.get(i);
            int n = e.ids().length;
            NDArray row = tokenEmb.get(i);
            int j = e.imagePos();
            NDArray seq;
            if (j >= 0) {
                seq = NDArrays.concat(new NDList(row.get(":" + j), features.get(imageRow++),
                        row.get((j + 1) + ":" + n)));
            } else {
                seq = row.get(":" + n);
            }
            int len = spliced(e, patches);
            real += len;
            if (len < maxLen) {
                seq = seq.concat(m.zeros(new Shape(maxLen - len, dim)), 0);
            }
            rows.add(seq);
            for (int t = e.firstTarget(); t < n; t++) {
                int s = position(e, t, patches);
                targets[i * maxLen + s - 1] = e.ids()[t];
                mask[i * maxLen + s - 1] = 1f;
            }
            targeted += e.targetTokens();
        }
        NDArray embeddings = NDArrays.stack(rows);
        NDArray positions = m.arange(0, maxLen, 1, ai.djl.ndarray.types.DataType.INT64)
                .reshape(1, maxLen).repeat(0, b);
        return new Batch(embeddings, positions, OwnedArrays.of(m, targets, new Shape(b, maxLen)),
                OwnedArrays.of(m, mask, new Shape(b, maxLen)), maxLen, real, targeted);
    }

    /** Sequence length after the image token is replaced by its patches. */
    static int spliced(EncodedExample e, int patches) {
        return e.ids().length + (e.imagePos() >= 0 ? patches - 1 : 0);
    }

    /** Position in the spliced sequence of original token index t. */
    static int position(EncodedExample e, int t, int patches) {
        return e.imagePos() >= 0 && t > e.imagePos() ? t + patches - 1 : t;
    }
}
