package dev.mmalign.trainer.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.VisionLanguageModel;
import dev.mmalign.trainer.engine.model.LlavaModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Test seam: a real trainer (SftTrainer, DpoTrainer) run through the real loop, with something done to each
 * micro-batch's result between its forward pass and the loop's backward pass.
 */
class WrappedLoop<E> extends TrainingLoop<E> {
    /** What to do with a micro-batch's loss before backward; {@code call} counts micro-batches from 1. */
    interface BeforeBackward {
        NDArray apply(int call, NDArray loss) throws Exception;
    }

    private final TrainingLoop<E> inner;
    private final BeforeBackward hook;
    private int calls;

    WrappedLoop(TrainingLoop<E> inner, VisionLanguageModel vlm, TrainConfig cfg, Path imageRoot, BeforeBackward hook) {
        super(vlm, cfg, imageRoot);
        this.inner = inner;
        this.hook = hook;
    }

    @Override
    protected List<E> prepare(List<E> data) throws IOException {
        return inner.prepare(data);
    }

    @Override
    protected MicroResult microStep(LlavaModel model, NDManager m, List<E> examples) throws IOException {
        MicroResult r = inner.microStep(model, m, examples);
        try {
            return new MicroResult(hook.apply(++calls, r.loss()), r.metrics(), r.tokens());
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A full collection and time for the Cleaners of unreachable direct buffers to free their memory. */
    static NDArray collectGarbage(int call, NDArray loss) throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(10);
        }
        return loss;
    }
}
