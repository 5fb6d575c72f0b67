package dev.mmalign.trainer.engine.train;


import dev.mmalign.trainer.data.DpoPairRecord;
import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.Batch;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.LlavaModel;
import dev.mmalign.trainer.engine.ndarray.GradMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DPO on preference pairs. Reference log-probs are taken from the pairs (refChosenLogp/refRejectedLogp);
 * pairs without them get them computed once, before training, with the base model — so training never
 * holds a second model. With {@code dpo.precomputeReference = false} they are instead computed in every
 * micro-step by the same model with LoRA disabled (the base, hence the fixed reference). Chosen and rejected
 * responses run as one concatenated batch (TRL's layout).
 */
public final class DpoTrainer extends TrainingLoop<DpoPairRecord> {

    public DpoTrainer(VisionLanguageModel vlm, TrainConfig cfg, Path imageRoot) {
        super(vlm, cfg, imageRoot);
    }

    @Override
    protected List<DpoPairRecord> prepare(List<DpoPairRecord> pairs) throws IOException {
        if (!cfg.dpo().precomputeReference()) {
            requireOnTheFlyReference(cfg);
            return pairs; // any stored reference values are ignored: every step computes its own
        }
        return precomputeReference(vlm, pairs, cfg, imageRoot);
    }

    /**
     * On-the-fly reference log-probs need a model that can switch back to the reference: LoRA with a frozen projector.
     * Full fine-tuning changes the base weights themselves, and a trained projector is changed in place, so with LoRA
     * off neither would be the reference any more (TRL would load a second model for this; this engine never does).
     */
    public static void requireOnTheFlyReference(TrainConfig cfg) {
        if (cfg.lora() == null) {
            throw new IllegalArgumentException("reference log-probs computed during training need LoRA (the reference"
                    + " is the model with its adapters disabled); with full fine-tuning precompute them");
        }
        if (cfg.lora().trainProjector()) {
            throw new IllegalArgumentException("reference log-probs computed during training need a frozen projector"
                    + " (a trained projector changes the reference too); precompute them or freeze the projector");
        }
    }

    /**
     * Fills refChosenLogp/refRejectedLogp for pairs lacking them, with any LoRA disabled (= the reference).
     * Stages call this to store the reference with the pairs, as the paper does before training.
     */
    public static List<DpoPairRecord> precomputeReference(VisionLanguageModel vlm, List<DpoPairRecord> pairs, TrainConfig cfg,
            Path imageRoot) throws IOException {
        List<Integer> missing = new ArrayList<>();
        List<EncodedExample> encoded = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            DpoPairRecord p = pairs.get(i);
            if (!p.hasReference()) {
                missing.add(i);
                Path img = resolveImage(imageRoot, p.images());
                try {
                    encoded.add(vlm.encode(img, p.prompt(), p.chosen(), cfg.maxLength()));
                    encoded.add(vlm.encode(img, p.prompt(), p.rejected(), cfg.maxLength()));
                } catch (EncodedExample.PromptTooLongException e) {
                    throw new IllegalArgumentException("DPO pair " + p.id() + ": " + e.getMessage(), e);
                }
            }
        }
        if (missing.isEmpty()) {
            return pairs;
        }
        vlm.model().setLoraEnabled(false);
        double[] lp;
        try {
            lp = LogProbs.compute(vlm, encoded, cfg.dpo().averageLogProbs(),
                    Math.max(1, cfg.batchSize()));
        } finally {
            vlm.model().setLoraEnabled(true);
        }
        List<DpoPairRecord> out = new ArrayList<>(pairs);
        for (int k = 0; k < missing.size(); k++) {
            int i = missing.get(k);
            out.set(i, pairs.get(i).withReferenceLogps(lp[2 * k], lp[2 * k + 1]));
        }
        return out;
    }

    @Override
    protected MicroResult microStep(LlavaModel model, NDManager m, List<DpoPairRecord> pairs) throws IOException {
        int b = pairs.size();
        List<EncodedExample> seqs = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            DpoPairRecord p = pairs.get(i);
            seqs.add(encode(p, p.chosen()));
        }
        for (int i = 0; i < b; i++) {
            DpoPairRecord p = pairs.get(i);
            seqs.add(encode(p, p.rejected()));
        }
        Batch batch = Batch.build(m, model, seqs);
        NDArray refChosen;
        NDArray refRejected;
        if (cfg.dpo().precomputeReference()) {
            float[] refC = new float[b];
            float[] refR = new float[b];
            for (int i = 0; i < b; i++) {
                refC[i] = pairs.get(i).refChosenLogp().floatValue();
                refR[i] = pairs.get(i).refRejectedLogp().floatValue();
            }
            refChosen = OwnedArrays.of(m, refC, new Shape(b));
            refRejected = OwnedArrays.of(m, refR, new Shape(b));
        } else {
            NDArray ref = referenceLogProbs(model, batch, cfg.dpo().averageLogProbs());
            refChosen = ref.get(":" + b);
            refRejected = ref.get(b + ":");
        }
        NDArray logits = LogProbs.logits(model, batch);
        NDArray lp = LogProbs.sequenceLogProbs(logits, batch, cfg.dpo().averageLogProbs());
        DpoLoss.Result r = DpoLoss.compute(lp.get(":" + b), lp.get(b + ":"), refChosen, refRejected, cfg.dpo());
        NDArray loss = r.losses().mean();
        if (cfg.dpo().sftWeight() > 0) {
            NDArray nll = LogProbs.meanTokenNll(logits.get(":" + b), batch.targets().get(":" + b),
                    batch.mask().get(":" + b));
            loss = loss.add(nll.mul(OwnedArrays.scalar(nll, (float) cfg.dpo().sftWeight())));
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
        // The policy's sequence log-probs (TRL's logps/chosen, logps/rejected), for the report's curves.
        float[] logps = lp.toFloatArray();
        double lc = 0;
        double lr = 0;
        for (int i = 0; i < b; i++) {
            lc += logps[i];
            lr += logps[b + i];
        }
        return new MicroResult(loss, Map.of("rewards/chosen", sc / b, "rewards/rejected", sr / b,
                "rewards/accuracies", acc / b, "rewards/margins", (sc - sr) / b, "logps/chosen", lc / b,
                "logps/rejected", lr / b), batch.realTokens());
    }

    /**
     * Log-probs [2B] of the batch under the reference: the same model with LoRA disabled. The batch's embeddings do not
     * depend on LoRA (it adapts decoder layers only, and the projector is frozen here), so the policy's batch is reused.
     * Nothing in this pass requires a gradient (LoRA off, base frozen), so autograd records nothing; stopGradient makes
     * sure the reference is a constant of the loss.
     */
    private static NDArray referenceLogProbs(LlavaModel model, Batch batch, boolean average) {
        // a constant of the loss: nothing to record (nor to checkpoint)
        try (GradMode off = GradMode.set(false)) {
            model.setLoraEnabled(false);
            try {
                return LogProbs.sequenceLogProbs(LogProbs.logits(model, batch), batch, average).stopGradient();
            } finally {
                model.setLoraEnabled(true);
            }
        }
    }

    /**
     * Reference log-probs {chosen[], rejected[]} of {@code pairs} computed the way a training step with
     * {@code precomputeReference = false} computes them (one batch, LoRA disabled), whatever LoRA is attached now. For
     * checking that they equal the precomputed ones and stay fixed while training.
     */
    public static double[][] onTheFlyReference(VisionLanguageModel vlm, List<DpoPairRecord> pairs, TrainConfig cfg,
            Path imageRoot) throws IOException {
        List<EncodedExample> seqs = new ArrayList<>();
        for (DpoPairRecord p : pairs) {
            seqs.add(vlm.encode(resolveImage(imageRoot, p.images()), p.prompt(), p.chosen(), cfg.maxLength()));
        }
        for (DpoPairRecord p : pairs) {
            seqs.add(vlm.encode(resolveImage(imageRoot, p.images()), p.prompt(), p.rejected(), cfg.maxLength()));
        }
        int b = pairs.size();
        try (NDManager m = vlm.manager().newSubManager()) {
            float[] lp = referenceLogProbs(vlm.model(), Batch.build(m, vlm.model(), seqs), cfg.dpo().averageLogProbs())
                    .toFloatArray();
            double[][] out = new double[2][b];
            for (int i = 0; i < b; i++) {
                out[0][i] = lp[i];
                out[1][i] = lp[b + i];
            }
            return out;
        }
    }

    private EncodedExample encode(DpoPairRecord p, String response) throws IOException {
        try {
            return encode(p.images(), p.prompt(), response);
        } catch (EncodedExample.PromptTooLongException e) {
            throw new IllegalArgumentException("DPO pair " + p.id() + ": " + e.getMessage(), e);
        }
    }
}
