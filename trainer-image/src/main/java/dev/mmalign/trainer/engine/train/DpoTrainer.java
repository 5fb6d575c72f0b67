package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.OwnedArrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.Batch;
import dev.mmalign.trainer.engine.data.DpoPair;
import dev.mmalign.trainer.engine.data.EncodedExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DPO on preference pairs. Reference log-probs are taken from the pairs (refChosenLogp/refRejectedLogp);
 * pairs without them get them computed once, before training, with the base model — so training never
 * holds a second model. Chosen and rejected responses run as one concatenated batch (TRL's layout).
 */
public final class DpoTrainer extends TrainingLoop<DpoPair> {

    public DpoTrainer(VisionLanguageModel vlm, TrainConfig cfg, Path imageRoot) {
        super(vlm, cfg, imageRoot);
    }

    @Override
    protected List<DpoPair> prepare(List<DpoPair> pairs) throws IOException {
        return precomputeReference(vlm, pairs, cfg, imageRoot);
    }

    /**
     * Fills refChosenLogp/refRejectedLogp for pairs lacking them, with any LoRA disabled (= the reference).
     * Stages call this to store the reference with the pairs, as the paper does before training.
     */
    public static List<DpoPair> precomputeReference(VisionLanguageModel vlm, List<DpoPair> pairs, TrainConfig cfg,
            Path imageRoot) throws IOException {
        List<Integer> missing = new ArrayList<>();
        List<EncodedExample> encoded = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            DpoPair p = pairs.get(i);
            if (!p.hasReference()) {
                missing.add(i);
                Path img = resolveImage(imageRoot, p.images());
                encoded.add(vlm.encode(img, p.prompt(), p.chosen(), cfg.maxLength));
                encoded.add(vlm.encode(img, p.prompt(), p.rejected(), cfg.maxLength));
            }
        }
        if (missing.isEmpty()) {
            return pairs;
        }
        vlm.model().setLoraEnabled(false);
        double[] lp;
        try {
            lp = LogProbs.compute(vlm, encoded, cfg.dpo.averageLogProbs,
                    Math.max(1, cfg.batchSize));
        } finally {
            vlm.model().setLoraEnabled(true);
        }
        List<DpoPair> out = new ArrayList<>(pairs);
        for (int k = 0; k < missing.size(); k++) {
            int i = missing.get(k);
            out.set(i, pairs.get(i).withReference(lp[2 * k], lp[2 * k + 1]));
        }
        return out;
    }

    @Override
    protected MicroResult microStep(NDManager m, List<DpoPair> pairs) throws IOException {
        int b = pairs.size();
        List<EncodedExample> seqs = new ArrayList<>();
        float[] refC = new float[b];
        float[] refR = new float[b];
        for (int i = 0; i < b; i++) {
            DpoPair p = pairs.get(i);
            seqs.add(vlm.encode(image(p.images()), p.prompt(), p.chosen(), cfg.maxLength));
            refC[i] = p.refChosenLogp().floatValue();
            refR[i] = p.refRejectedLogp().floatValue();
        }
        for (int i = 0; i < b; i++) {
            DpoPair p = pairs.get(i);
            seqs.add(vlm.encode(image(p.images()), p.prompt(), p.rejected(), cfg.maxLength));
        }
        Batch batch = Batch.build(m, vlm.model(), seqs);
        NDArray logits = LogProbs.logits(vlm.model(), batch);
        NDArray lp = LogProbs.sequenceLogProbs(logits, batch, cfg.dpo.averageLogProbs);
        DpoLoss.Result r = DpoLoss.compute(lp.get(":" + b), lp.get(b + ":"), OwnedArrays.of(m, refC, new Shape(b)),
                OwnedArrays.of(m, refR, new Shape(b)), cfg.dpo);
        NDArray loss = r.losses().mean();
        if (cfg.dpo.sftWeight > 0) {
            NDArray nll = LogProbs.meanTokenNll(logits.get(":" + b), batch.targets().get(":" + b),
                    batch.mask().get(":" + b));
            loss = loss.add(nll.mul(OwnedArrays.scalar(nll, (float) cfg.dpo.sftWeight)));
        }
        float[] c = r.chosenRewards().toFloatArray();
        float[] rj = r.rejectedRewards().toFloatArray();
        double sc = 0;
        double sr = 0;
        double acc = 0;
        for (int i = 0; i < b; i++) {
            sc += c[i];
            sr += rj[i];
            acc += c[i] > rj[i] ? 1 : 0;
        }
        return new MicroResult(loss, Map.of("rewards/chosen", sc / b, "rewards/rejected", sr / b,
                "rewards/accuracies", acc / b, "rewards/margins", (sc - sr) / b), batch.realTokens());
    }
}
