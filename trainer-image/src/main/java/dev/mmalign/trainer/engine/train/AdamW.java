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
 *
 * <p>Each array's work is its own, so it may be split over threads ({@link OptimizerStep}): {@link #arrayNorm} per
 * array, {@link #norm} to combine them, {@link #begin} once per step, then {@link #update} and {@link #zeroGradients}
 * on any subsets that together hold every parameter once. That gives the bits of the whole-set methods, which are
 * built from the same pieces.
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
        float[] norms = new float[params.size()];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = arrayNorm(scratch, params.get(i));
        }
        return norm(norms);
    }

    /** The L2 norm of one parameter's accumulated gradient, as libtorch computes it (float32). */
    public static float arrayNorm(NDManager scratch, Param p) {
        NDArray g = p.value().getGradient();
        g.attach(scratch); // DJL attaches a gradient to its parameter's manager; free it per step
        return g.norm().getFloat();
    }

    /**
     * The L2 norm of all gradients from their per-array norms, given in parameter order: the squares are added in
     * that order, in double, so the sum does not depend on which thread computed which array's norm.
     */
    public static double norm(float[] arrayNorms) {
        double sq = 0;
        for (float f : arrayNorms) {
            double n = f;
            sq += n * n;
        }
        return Math.sqrt(sq);
    }

    /**
     * Applies one AdamW update at {@code lr} from the accumulated gradients, clipped to {@code maxNorm} (if > 0) given
     * their norm {@code gradNorm} (from {@link #gradientNorm}, finite). Does not zero the gradients.
     */
    public void step(NDManager scratch, double lr, double gradNorm, double maxNorm) {
        update(scratch, begin(lr, gradNorm, maxNorm), params);
    }

    /** What every array's update in one step shares: the learning rate, the clip factor and the bias corrections. */
    public record Step(double lr, float clip, double bc1, double bc2) {}

    /**
     * Counts one optimiser step and fixes its factors, before any array is updated ({@link #update}): clipping to
     * {@code maxNorm} (if > 0) given the gradients' norm {@code gradNorm} (from {@link #gradientNorm}, finite).
     */
    public Step begin(double lr, double gradNorm, double maxNorm) {
        if (!Double.isFinite(gradNorm)) {
            throw new IllegalArgumentException("gradient norm " + gradNorm + ": skip the step instead");
        }
        float clip = maxNorm > 0 && gradNorm > maxNorm ? (float) (maxNorm / (gradNorm + 1e-6)) : 1f;
        steps++;
        return new Step(lr, clip, 1 - Math.pow(BETA1, steps), 1 - Math.pow(BETA2, steps));
    }

    /**
     * Applies {@code step}'s update to the parameters in {@code subset}, from their accumulated gradients. Does not zero
     * the gradients. Touches nothing outside the subset, so disjoint subsets may run on different threads (with grad
     * mode off: the parameters are leaves that require gradients).
     */
    public void update(NDManager scratch, Step step, List<Param> subset) {
        double lr = step.lr();
        float clip = step.clip();
        for (Param p : subset) {
            // Number operands are safe here: no GradientCollector is open, so every op reads them at once.
            NDArray grad = p.value().getGradient();
            grad.attach(scratch);
            NDArray g = clip == 1f ? grad : grad.mul(clip);
            p.expAvg().muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            p.expAvgSq().muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            if (weightDecay > 0 && p.value().getShape().dimension() > 1) {
                p.value().muli((float) (1 - lr * weightDecay));
            }
            NDArray denom = scratchOf(p.expAvgSq().div((float) step.bc2()), scratch).sqrt().addi((float) EPS);
            NDArray update = scratchOf(p.expAvg().mul((float) (lr / step.bc1())), scratch).divi(denom);
            p.value().subi(update);
        }
    }

    /**
     * Sets every accumulated gradient to exactly zero, NaN and infinities included (libtorch's {@code grad.zero_()};
     * {@code grad.muli(0)} would keep NaN · 0 = NaN and poison every later step). The next backward pass accumulates
     * into the same tensors.
     */
    public void zeroGradients() {
        zeroGradients(params);
    }

    /** {@link #zeroGradients()} for the parameters in {@code subset} only. */
    public static void zeroGradients(List<Param> subset) {
        for (Param p : subset) {
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
