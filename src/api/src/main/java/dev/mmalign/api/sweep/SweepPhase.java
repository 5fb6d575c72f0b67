package dev.mmalign.api.sweep;

/** Where an AlignmentSweep is: its runs training, then their evaluation, then done. */
public enum SweepPhase { Pending, Running, Evaluating, Succeeded, Failed }
