package dev.mmalign.api.run;

/** DPO loss variants (as in TRL). */
public enum LossType {
    /** -log sigmoid(beta * margin), with optional label smoothing (conservative DPO). */
    sigmoid,
    /** (margin - 1/(2 beta))^2 (IPO). */
    ipo,
    /** max(0, 1 - beta * margin) (SLiC hinge). */
    hinge
}
