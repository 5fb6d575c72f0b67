package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.data.SftExampleRecord;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.data.Batch;
import dev.mmalign.trainer.engine.data.EncodedExample;
import dev.mmalign.trainer.engine.model.LlavaModel;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Supervised fine-tuning: mean NLL of the completion tokens (SFT, rejection sampling, SteerLM). */
public final class SftTrainer extends TrainingLoop<SftExampleRecord> {

    public SftTrainer(VisionLanguageModel vlm, TrainConfig cfg, Path imageRoot) {
        super(vlm, cfg, imageRoot);
    }

    @Override
    protected MicroResult microStep(LlavaModel model, NDManager m, List<SftExampleRecord> examples) throws IOException {
        List<EncodedExample> seqs = new ArrayList<>();
        for (SftExampleRecord e : examples) {
            seqs.add(encode(e));
        }
        Batch batch = Batch.build(m, model, seqs);
        return new MicroResult(LogProbs.meanTokenNll(LogProbs.logits(model, batch), batch), Map.of(),
                batch.realTokens(), batch.targetTokens());
    }

    /** The response tokens the examples' mean loss is taken over, from their tokenisation alone. */
    @Override
    protected long lossCount(List<SftExampleRecord> examples) throws IOException {
        long count = 0;
        for (SftExampleRecord e : examples) {
            count += encode(e).targetTokens();
        }
        return count;
    }

    private EncodedExample encode(SftExampleRecord e) throws IOException {
        try {
            return encode(e.images(), e.prompt(), e.completion());
        } catch (EncodedExample.PromptTooLongException x) {
            throw new IllegalArgumentException("SFT example " + e.id() + ": " + x.getMessage(), x);
        }
    }
}
