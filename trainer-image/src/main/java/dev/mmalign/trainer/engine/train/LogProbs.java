package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.Batch;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Log-probability of a response given image + prompt: only response tokens count (prompt, image, padding masked). */
public final class LogProbs {
    /** The paper's max length for DPO; callers may pass their own. */
    public static final int DEFAULT_MAX_LENGTH = 300;

    private LogProbs() {}

    /** Logits of a batch, [B, L, V]. */
    public static NDArray logits(LlavaModel model, Batch batch) {
        return model.decode(batch.embeddings(), batch.positions(), null, null);
    }

    /** Per-example log p(response) [B]: the sum over response tokens (paper default) or their mean. */
    public static NDArray sequenceLogProbs(NDArray logits, Batch batch, boolean average) {
        NDArray tokenLogp = logits.logSoftmax(-1).gather(batch.targets().expandDims(-1), -1).squeeze(-1);
        NDArray sum = tokenLogp.mul(batch.mask()).sum(new int[] {1});
        if (!average) {
            return sum;
        }
        NDArray count = batch.mask().sum(new int[] {1});
        return sum.div(count.maximum(OwnedArrays.scalar(count, 1f)));
    }

    /** Per-token NLL of the responses of a batch, averaged over all response tokens of the batch. */
    public static NDArray meanTokenNll(NDArray logits, Batch batch) {
        return meanTokenNll(logits, batch.targets(), batch.mask());
    }

    /** Same over explicit targets [B, L] and mask [B, L] (e.g. the chosen half of a DPO batch). */
    public static NDArray meanTokenNll(NDArray logits, NDArray targets, NDArray mask) {
        NDArray tokenLogp = logits.logSoftmax(-1).gather(targets.expandDims(-1), -1).squeeze(-1);
        NDArray count = mask.sum();
        return tokenLogp.mul(mask).sum().neg().div(count.maximum(OwnedArrays.scalar(count, 1f)));
    }

    /** Log-probs of many examples without gradients, in batches; LoRA as currently enabled. */
    public static double[] compute(VisionLanguageModel vlm, List<EncodedExample> examples, boolean average,
            int batchSize) {
        double[] out = new double[examples.size()];
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<EncodedExample> part = examples.subList(start, Math.min(examples.size(), start + batchSize));
            try (NDManager step = vlm.manager().newSubManager()) {
                Batch batch = Batch.build(step, vlm.model(), part);
                float[] lp = sequenceLogProbs(logits(vlm.model(), batch), batch, average).toFloatArray();
                for (int i = 0; i < lp.length; i++) {
                    out[start + i] = lp[i];
                }
            }
        }
        return out;
    }

    /** Facade: log p(response | image, prompt) under the LLaVA-1.5 template, EOS included. */
    public static double responseLogProb(VisionLanguageModel vlm, Path image, String prompt, String response,
            boolean average) throws IOException {
        EncodedExample e = vlm.encode(image, prompt, response, Integer.MAX_VALUE);
        return compute(vlm, List.of(e), average, 1)[0];
    }
}
