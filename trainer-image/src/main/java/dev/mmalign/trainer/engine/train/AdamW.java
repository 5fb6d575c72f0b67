package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (torch.optim.AdamW semantics), gradient-norm clipping, and state that
 * can be saved and restored. Parameters are the trainable arrays; gradients accumulate in them across
 * micro-batches; the training loop then takes {@link #gradientNorm}, calls {@link #step} only when it is finite, and
 * {@link #zeroGradients} either way. Biases and norm weights (1-D) are not decayed, as in HF Trainer.
 */
public final class AdamW {
    /** One trainable array with its moments. */
    public record Param(String name, NDArray value, NDArray expAvg, NDArray expAvgSq) {}

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final List<Param> params;
    private final double weightDecay;
    private int steps;

    public AdamW(NDManager stateManager, Map<String, NDArray> trainable, double weightDecay) {
        this.weightDecay = weightDecay;
        this.params = new java.util.ArrayList<>();
        for (Map.Entry<String, NDArray> e : trainable.entrySet()) {
            NDArray v = e.getValue();
            v.setRequiresGradient(true);
            params.add(new Param(e.getKey(), v, stateManager.zeros(v.getShape()), stateManager.zeros(v.getShape())));
        }
        zeroGradients(); // a model trained before keeps its last gradients; they must not leak into this run
    }

    public List<Param> params() {
        return params;
    }

    public int steps() {
        return steps;
    }

    /**
     * The L2 norm of all accumulated gradients: NaN or infinite when any gradient is (the caller then skips the step).
     */
    public double gradientNorm(NDManager scratch) {
        double sq = 0;
        for (Param p : params) {
            NDArray g = p.value().getGradient();
            g.attach(scratch); // DJL attaches a gradient to its parameter's manager; free it per step
            double n = g.norm().getFloat();
            sq += n * n;
        }
        return Math.sqrt(sq);
    }

    /**
     * Applies one AdamW update at {@code lr} from the accumulated gradients, clipped to {@code maxNorm} (if > 0) given
     * their norm {@code gradNorm} (from {@link #gradientNorm}, finite). Does not zero the gradients.
     */
    public void step(NDManager scratch, double lr, double gradNorm, double maxNorm) {
        if (!Double.isFinite(gradNorm)) {
            throw new IllegalArgumentException("gradient norm " + gradNorm + ": skip the step instead");
        }
        float clip = maxNorm > 0 && gradNorm > maxNorm ? (float) (maxNorm / (gradNorm + 1e-6)) : 1f;
        steps++;
        double bc1 = 1 - Math.pow(BETA1, steps);
        double bc2 = 1 - Math.pow(BETA2, steps);
        for (Param p : params) {
            // Number operands are safe here: no GradientCollector is open, so every op reads them at once.
            NDArray grad = p.value().getGradient();
            grad.attach(scratch);
            NDArray g = clip == 1f ? grad : grad.mul(clip);
            p.expAvg().muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            p.expAvgSq().muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            if (weightDecay > 0 && p.value().getShape().dimension() > 1) {
                p.value().muli((float) (1 - lr * weightDecay));
            }
            NDArray denom = scratchOf(p.expAvgSq().div((float) bc2), scratch).sqrt().addi((float) EPS);
            NDArray update = scratchOf(p.expAvg().mul((float) (lr / bc1)), scratch).divi(denom);
            p.value().subi(update);
        }
    }

    /**
     * Sets every accumulated gradient to exactly zero, NaN and infinities included (libtorch's {@code grad.zero_()};
     * {@code grad.muli(0)} would keep NaN · 0 = NaN and poison every later step). The next backward pass accumulates
     * into the same tensors.
     */
    public void zeroGradients() {
        for (Param p : params) {
            JniUtils.zeroGrad((PtNDArray) p.value());
        }
    }

    private static NDArray scratchOf(NDArray a, NDManager scratch) {
        a.attach(scratch);
        return a;
    }

    /** Moments under {@code <name>.exp_avg} / {@code <name>.exp_avg_sq}. */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : params) {
            long[] shape = p.value().getShape().getShape();
            out.put(p.name() + ".exp_avg", Tensor.f32(p.expAvg().toFloatArray(), shape));
            out.put(p.name() + ".exp_avg_sq", Tensor.f32(p.expAvgSq().toFloatArray(), shape));
        }
        return out;
    }

    public void restore(Map<String, Tensor> state, int steps) {
        for (Param p : params) {
            Tensor m = state.get(p.name() + ".exp_avg");
            Tensor v = state.get(p.name() + ".exp_avg_sq");
            if (m == null || v == null) {
                throw new IllegalArgumentException("optimizer state has no moments for " + p.name());
            }
            OwnedArrays.copyInto(p.expAvg(), m.data());
            OwnedArrays.copyInto(p.expAvgSq(), v.data());
        }
        this.steps = steps;
    }
}
