package dev.mmalign.trainer.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.mmalign.trainer.engine.OwnedArrays;
import dev.mmalign.trainer.engine.safetensors.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with decoupled weight decay (torch.optim.AdamW semantics), gradient-norm clipping, and state that
 * can be saved and restored. Parameters are the trainable arrays; gradients accumulate in them across
 * micro-batches until {@link #step}. Biases and norm weights (1-D) are not decayed, as in HF Trainer.
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
    }

    public List<Param> params() {
        return params;
    }

    public int steps() {
        return steps;
    }

    /**
     * Clips the accumulated gradients to {@code maxNorm} (if > 0), applies one AdamW update at {@code lr},
     * zeroes the gradients, and returns the gradient norm before clipping.
     */
    public double step(NDManager scratch, double lr, double maxNorm) {
        NDArray[] grads = new NDArray[params.size()];
        double sq = 0;
        for (int i = 0; i < grads.length; i++) {
            grads[i] = params.get(i).value().getGradient();
            grads[i].attach(scratch); // DJL attaches a gradient to its parameter's manager; free it per step
            double n = grads[i].norm().getFloat();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        float clip = maxNorm > 0 && norm > maxNorm ? (float) (maxNorm / (norm + 1e-6)) : 1f;
        steps++;
        double bc1 = 1 - Math.pow(BETA1, steps);
        double bc2 = 1 - Math.pow(BETA2, steps);
        for (int i = 0; i < grads.length; i++) {
            Param p = params.get(i);
            NDArray g = clip == 1f ? grads[i] : grads[i].mul(clip);
            p.expAvg().muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            p.expAvgSq().muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            if (weightDecay > 0 && p.value().getShape().dimension() > 1) {
                p.value().muli((float) (1 - lr * weightDecay));
            }
            NDArray denom = scratchOf(p.expAvgSq().div((float) bc2), scratch).sqrt().addi((float) EPS);
            NDArray update = scratchOf(p.expAvg().mul((float) (lr / bc1)), scratch).divi(denom);
            p.value().subi(update);
            grads[i].muli(0f); // zero in place: the parameter keeps accumulating into the same tensor
        }
        return norm;
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
