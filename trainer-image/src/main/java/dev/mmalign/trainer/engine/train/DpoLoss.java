package dev.mmalign.trainer.engine.train;

import dev.mmalign.trainer.engine.ndarray.OwnedArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * DPO losses as in TRL's DPOTrainer, over per-example log-probs [B] of the policy and the (precomputed)
 * reference. With z = (πc − πr) − (refc − refr):
 * <ul>
 *   <li>sigmoid: −(1−ε)·log σ(βz) − ε·log σ(−βz) (ε = label smoothing, "conservative DPO")</li>
 *   <li>ipo: (z − 1/(2β))²</li>
 *   <li>hinge: max(0, 1 − βz)</li>
 * </ul>
 * Rewards are β·(π − ref), reported without gradient. Constants are {@link OwnedArrays#scalar}s, never Java numbers:
 * autograd keeps them for the backward pass.
 */
public final class DpoLoss {
    /** Loss per example [B] and the reward figures. */
    public record Result(NDArray losses, NDArray chosenRewards, NDArray rejectedRewards) {}

    private DpoLoss() {}

    public static Result compute(NDArray policyChosen, NDArray policyRejected, NDArray refChosen,
            NDArray refRejected, DpoConfig cfg) {
        NDArray z = policyChosen.sub(policyRejected).sub(refChosen.sub(refRejected));
        float beta = (float) cfg.beta();
        float smoothing = (float) cfg.labelSmoothing();
        NDArray losses = switch (cfg.lossType()) {
            case SIGMOID -> {
                // −log σ(x) = softplus(−x)
                NDArray l = Activation.softPlus(z.mul(c(z, -beta))).mul(c(z, 1f - smoothing));
                yield smoothing == 0 ? l : l.add(Activation.softPlus(z.mul(c(z, beta))).mul(c(z, smoothing)));
            }
            case IPO -> z.sub(c(z, 1f / (2f * beta))).square();
            case HINGE -> Activation.relu(z.mul(c(z, -beta)).add(c(z, 1f)));
        };
        NDArray chosen = policyChosen.sub(refChosen).mul(c(z, beta)).stopGradient();
        NDArray rejected = policyRejected.sub(refRejected).mul(c(z, beta)).stopGradient();
        return new Result(losses, chosen, rejected);
    }

    private static NDArray c(NDArray like, float value) {
        return OwnedArrays.scalar(like, value);
    }
}
