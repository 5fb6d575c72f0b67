package dev.mmalign.trainer.engine.train;

import ai.djl.ndarray.NDArray;
import dev.mmalign.trainer.engine.OwnedArrays;
import ai.djl.nn.Activation;

/**
 * DPO losses as in TRL's DPOTrainer, over per-example log-probs [B] of the policy and the (precomputed)
 * reference. With z = (πc − πr) − (refc − refr):
 * <ul>
 *   <li>sigmoid: −(1−ε)·log σ(βz) − ε·log σ(−βz) (ε = label smoothing, "conservative DPO")</li>
 *   <li>ipo: (z − 1/(2β))²</li>
 *   <li>hinge: max(0, 1 − βz)</li>
 * </ul>
 * Rewards are β·(π − ref), reported without gradient.
 */
public final class DpoLoss {
    /** Loss per example [B] and the reward figures. */
    public record Result(NDArray losses, NDArray chosenRewards, NDArray rejectedRewards) {}

    private DpoLoss() {}

    public static Result compute(NDArray policyChosen, NDArray policyRejected, NDArray refChosen,
            NDArray refRejected, DpoConfig cfg) {
        NDArray z = policyChosen.sub(policyRejected).sub(refChosen.sub(refRejected));
        double beta = cfg.beta;
        double smoothing = cfg.labelSmoothing;
        NDArray losses = switch (cfg.lossType) {
            case "sigmoid" -> {
                // −log σ(x) = softplus(−x)
                NDArray l = Activation.softPlus(times(z, -beta)).mul(OwnedArrays.scalar(z, 1 - smoothing));
                yield smoothing == 0 ? l
                        : l.add(Activation.softPlus(times(z, beta)).mul(OwnedArrays.scalar(z, smoothing)));
            }
            case "ipo" -> z.sub(OwnedArrays.scalar(z, 1 / (2 * beta))).square();
            case "hinge" -> Activation.relu(times(z, -beta).add(OwnedArrays.scalar(z, 1)));
            default -> throw new IllegalArgumentException("unknown DPO loss type " + cfg.lossType
                    + " (sigmoid, ipo, hinge)");
        };
        NDArray chosen = times(policyChosen.sub(refChosen), beta).stopGradient();
        NDArray rejected = times(policyRejected.sub(refRejected), beta).stopGradient();
        return new Result(losses, chosen, rejected);
    }

    /** x · c with c in libtorch memory (see OwnedArrays: autograd keeps c for the backward pass). */
    private static NDArray times(NDArray x, double c) {
        return x.mul(OwnedArrays.scalar(x, c));
    }
}
